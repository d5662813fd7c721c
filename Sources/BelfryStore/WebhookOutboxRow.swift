/// One undelivered webhook event for one endpoint, as the outbox table holds it.
///
/// The endpoint is the app's name, the url and `slot` (the index among the app's endpoints with
/// the same url, usually 0). `payload` is the event's JSON object, exactly as it is sent.
public struct WebhookOutboxRow: Sendable, Equatable {
    /// Assigned by the database; nil before the row is written. Ascending in append order.
    public var id: Int64?
    public var app: String
    public var url: String
    public var slot: Int
    /// The event name (`channel_occupied`, …).
    public var name: String
    public var payload: String
    /// When the event happened, milliseconds since 1970 (the 5-minute retry window starts here).
    public var createdAtMs: Int64

    public init(
        id: Int64? = nil, app: String, url: String, slot: Int, name: String, payload: String, createdAtMs: Int64
    ) {
        self.id = id
        self.app = app
        self.url = url
        self.slot = slot
        self.name = name
        self.payload = payload
        self.createdAtMs = createdAtMs
    }
}

/// One write to the outbox: rows to append, delivered or dropped rows to delete, and endpoints
/// whose rows all go (the endpoint was removed from the configuration).
public struct WebhookOutboxChange: Sendable, Equatable {
    public var inserts: [WebhookOutboxRow]
    public var deletes: [Int64]
    public var removedEndpoints: [WebhookEndpointRef]

    public init(inserts: [WebhookOutboxRow] = [], deletes: [Int64] = [], removedEndpoints: [WebhookEndpointRef] = []) {
        self.inserts = inserts
        self.deletes = deletes
        self.removedEndpoints = removedEndpoints
    }

    public var isEmpty: Bool { inserts.isEmpty && deletes.isEmpty && removedEndpoints.isEmpty }
}

/// An endpoint's identity in the outbox: app name, url, slot.
public struct WebhookEndpointRef: Sendable, Hashable, Comparable {
    public var app: String
    public var url: String
    public var slot: Int

    public init(app: String, url: String, slot: Int) {
        self.app = app
        self.url = url
        self.slot = slot
    }

    public static func < (a: Self, b: Self) -> Bool { (a.app, a.url, a.slot) < (b.app, b.url, b.slot) }
}
