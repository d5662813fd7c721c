import BelfryJSON

/// One decoded client → server frame.
public enum ClientMessage: Sendable, Equatable {
    case subscribe(channel: String, auth: String?, channelData: String?)
    case unsubscribe(channel: String)
    case ping
    case pong
    case signin(auth: String?, userData: String?)
    /// A `client-*` event; `data` is forwarded unchanged.
    case clientEvent(name: String, channel: String, data: JSONValue)

    /// Why a frame could not be decoded; answered with a non-fatal `pusher:error`.
    public struct Invalid: Error, Sendable, Equatable {
        public let message: String
        public init(_ message: String) { self.message = message }
    }

    /// Decodes a text frame. Unknown `pusher:` events and malformed frames are `Invalid`.
    public static func decode(_ bytes: [UInt8]) -> Result<ClientMessage, Invalid> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            return .failure(Invalid("Invalid message format: not JSON (\(error))"))
        }
        guard value.isObject else { return .failure(Invalid("Invalid message format: expected a JSON object")) }
        guard let event = value["event"]?.stringValue else {
            return .failure(Invalid("Invalid message format: missing string field \"event\""))
        }
        let data = value["data"]
        switch event {
        case "pusher:subscribe", "pusher:unsubscribe":
            guard let data, data.isObject, let channel = data["channel"]?.stringValue else {
                return .failure(Invalid("\(event) needs data.channel (a string)"))
            }
            if event == "pusher:unsubscribe" { return .success(.unsubscribe(channel: channel)) }
            return .success(
                .subscribe(
                    channel: channel, auth: data["auth"]?.stringValue, channelData: data["channel_data"]?.stringValue))
        case "pusher:ping":
            return .success(.ping)
        case "pusher:pong":
            return .success(.pong)
        case "pusher:signin":
            guard let data, data.isObject else { return .failure(Invalid("pusher:signin needs a data object")) }
            return .success(.signin(auth: data["auth"]?.stringValue, userData: data["user_data"]?.stringValue))
        default:
            if event.hasPrefix("client-") {
                guard let channel = value["channel"]?.stringValue else {
                    return .failure(Invalid("Client event \(JSONText.quoted(event)) needs a \"channel\""))
                }
                return .success(.clientEvent(name: event, channel: channel, data: data ?? .null))
            }
            if event.hasPrefix("pusher:") || event.hasPrefix("pusher_internal:") {
                return .failure(Invalid("Unknown event \(JSONText.quoted(event))"))
            }
            return .failure(Invalid("Event \(JSONText.quoted(event)) is neither a pusher: event nor a client- event"))
        }
    }
}
