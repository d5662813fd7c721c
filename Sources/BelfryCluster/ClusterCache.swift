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

extension ClusterCacheEntry {
    /// The `cacheSet` call that keeps this entry as `channel`'s last event in Redis (for
    /// `ttlMs`, among at most `maxEntries` of the app's) and publishes `envelope` on the bus.
    public func write(
        keys: ClusterKeys, appID: String, channel: String, ttlMs: Int, maxEntries: Int, envelope: [UInt8]
    ) -> [[UInt8]] {
        ClusterScript.cacheSet.evalsha(
            keys: [keys.cache(app: appID, channel: channel), keys.cacheIndex(app: appID), keys.bus],
            arguments: [
                stored, Array(String(ttlMs).utf8), Array(String(maxEntries).utf8),
                Array(keys.cachePrefix(app: appID).utf8), Array(channel.utf8), envelope,
            ])
    }
}
