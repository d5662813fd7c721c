import BelfryJSON
import BelfryServer

/// How a cache channel's last event is kept in Redis (`P:cache:APP:CH`): JSON text
/// `{"event":…,"data":…}`, so an operator can read it with `redis-cli GET`.
extension ClusterCacheEntry {
    public var stored: [UInt8] {
        var text = "{\"event\":"
        JSONText.appendQuoted(event, to: &text)
        text += ",\"data\":"
        JSONText.appendQuoted(data, to: &text)
        text += "}"
        return Array(text.utf8)
    }

    /// The entry that `stored` wrote; nil for anything else.
    public init?(stored bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes), let event = value["event"]?.stringValue,
            let data = value["data"]?.stringValue
        else { return nil }
        self.init(event: event, data: data)
    }
}
