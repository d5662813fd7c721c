import BelfryJSON

/// One webhook event as the server raises it: Pusher's seven (`pusher.md` §3.2) and Belfry's
/// connection lifecycle pair, with the fields each carries.
///
/// The server raises them on its event loops; `WebhookGate` holds `channel_vacated` and
/// `member_removed` for 3 s (dropping both sides of a quick leave-and-return), and what passes
/// goes to the `WebhookSink` (durable delivery).
public struct WebhookEvent: Sendable, Equatable {
    public enum Name: String, Sendable, CaseIterable {
        case channelOccupied = "channel_occupied"
        case channelVacated = "channel_vacated"
        case memberAdded = "member_added"
        case memberRemoved = "member_removed"
        case clientEvent = "client_event"
        case cacheMiss = "cache_miss"
        case subscriptionCount = "subscription_count"
        case connectionOpened = "connection_opened"
        case connectionClosed = "connection_closed"

        /// Belfry's lifecycle events: always delivered batched.
        public var isConnectionEvent: Bool { self == .connectionOpened || self == .connectionClosed }
    }

    public var name: Name
    public var channel: String?
    /// `client_event`: the event name and its data (a string, as the client sent it).
    public var event: String?
    public var data: String?
    public var socketID: String?
    /// `member_*`, `client_event` on presence channels, `connection_closed` when signed in.
    public var userID: String?
    public var subscriptionCount: Int?
    /// `connection_closed`: the close code and how long the connection lived.
    public var closeCode: Int?
    public var durationMs: Int?
    /// When the event happened, milliseconds since 1970.
    public var timeMs: Int64

    public init(
        _ name: Name, channel: String? = nil, event: String? = nil, data: String? = nil, socketID: String? = nil,
        userID: String? = nil, subscriptionCount: Int? = nil, closeCode: Int? = nil, durationMs: Int? = nil,
        timeMs: Int64
    ) {
        self.name = name
        self.channel = channel
        self.event = event
        self.data = data
        self.socketID = socketID
        self.userID = userID
        self.subscriptionCount = subscriptionCount
        self.closeCode = closeCode
        self.durationMs = durationMs
        self.timeMs = timeMs
    }

    /// The event object of a webhook body, with Pusher's field names (absent fields left out).
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("name", .string(name.rawValue))]
        if let channel { fields.append(("channel", .string(channel))) }
        if let event { fields.append(("event", .string(event))) }
        if let data { fields.append(("data", .string(data))) }
        if let socketID { fields.append(("socket_id", .string(socketID))) }
        if let userID { fields.append(("user_id", .string(userID))) }
        if let subscriptionCount { fields.append(("subscription_count", .number(String(subscriptionCount)))) }
        if let closeCode { fields.append(("close_code", .number(String(closeCode)))) }
        if let durationMs { fields.append(("duration_ms", .number(String(durationMs)))) }
        return .object(fields)
    }
}

/// Where webhook events go once they passed the gate: the durable outbox and its delivery.
///
/// Called on event loops, so it must not block or wait: buffer, and persist elsewhere.
public protocol WebhookSink: Sendable {
    /// Events of the app with id `appID`, in the order they happened.
    func accept(appID: String, _ events: [WebhookEvent])
}
