import BelfryManifest
import PusherProtocol

/// One webhook request as `pusher.md` §3.1 describes it: `POST`, `Content-Type: application/json`
/// exactly, body `{"time_ms":…,"events":[…]}`, `X-Pusher-Key` and `X-Pusher-Signature` (hex
/// HMAC-SHA256 of the exact body with the app's secret), the endpoint's extra headers and
/// `User-Agent: Belfry`. Built at send time, so a rotated secret signs the next request.
public struct WebhookRequest: Sendable, Equatable {
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// - Parameters:
    ///   - payloads: the events' JSON objects, in order, as stored in the outbox.
    ///   - timeMs: the body's `time_ms` (now, milliseconds since 1970).
    public init(
        url: String, payloads: [String], timeMs: Int64, key: String, secret: String, extra: [App.Webhook.Header]
    ) {
        self.url = url
        var text = #"{"time_ms":"# + String(timeMs) + #","events":["#
        for (index, payload) in payloads.enumerated() {
            if index > 0 { text += "," }
            text += payload
        }
        text += "]}"
        body = Array(text.utf8)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("X-Pusher-Key", key),
            ("X-Pusher-Signature", Signature.hmacHex(secret: secret, bytes: body)),
        ]
        // The manifest refuses Content-Type, Host and X-Pusher-*; a User-Agent of its own wins.
        if !extra.contains(where: { $0.name.lowercased() == "user-agent" }) {
            headers.append(("User-Agent", "Belfry"))
        }
        headers += extra.map { ($0.name, $0.value) }
        self.headers = headers
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.url == b.url && a.body == b.body
            && a.headers.map { [$0.name, $0.value] } == b.headers.map { [$0.name, $0.value] }
    }

    /// The url without user info and query, for logs and the status page (either may hold a
    /// credential).
    public static func redacted(_ url: String) -> String {
        var text = Substring(url)
        if let query = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<query] }
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                text = text[..<scheme.upperBound] + rest[rest.index(after: at)...]
            }
        }
        return String(text)
    }
}
