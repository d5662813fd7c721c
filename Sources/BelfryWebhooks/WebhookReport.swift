import NIOConcurrencyHelpers

/// One app's webhook figures since start: events sent, failed (a 4xx other than 408/425/429),
/// retried (put back after a failed attempt), dropped (buffer or outbox full, given up after
/// 5 minutes, endpoint removed), queued now, and the delivery latency (creation to 2xx).
public struct WebhookAppStatistics: Sendable, Equatable {
    public var app: String
    public var sent = 0
    public var failed = 0
    public var retried = 0
    public var dropped = 0
    public var queued = 0
    public var latencyMsSum: Int64 = 0
    public var latencyCount = 0

    public init(app: String) {
        self.app = app
    }
}

/// One endpoint's state for the status page.
public struct WebhookEndpointStatus: Sendable, Equatable {
    public var app: String
    /// Without user info and query (see `WebhookRequest.redacted`).
    public var url: String
    public var queued: Int
    public var lastSuccessMs: Int64?
    public var lastFailureMs: Int64?
    /// `HTTP 503`, `503`, a connection error, …
    public var lastFailure: String?
    /// Failed attempts in a row (0: healthy).
    public var failures: Int
}

/// Everything the metrics, the status page and `/readyz` show about webhook delivery.
public struct WebhookReport: Sendable, Equatable {
    public var running = false
    /// Shutting down: no new request starts, the running ones are being waited for.
    public var draining = false
    public var apps: [WebhookAppStatistics] = []
    public var endpoints: [WebhookEndpointStatus] = []
    /// Creation time of the oldest undelivered event, milliseconds since 1970.
    public var oldestCreatedAtMs: Int64?

    public init() {}

    public var queued: Int { apps.reduce(0) { $0 + $1.queued } }
}

/// Where the delivery service publishes its report (every flush) for readers on other threads.
public final class WebhookMonitor: Sendable {
    private let box = NIOLockedValueBox(WebhookReport())

    public init() {}

    public var report: WebhookReport { box.withLockedValue { $0 } }

    func publish(_ report: WebhookReport) {
        box.withLockedValue { current in
            let draining = current.draining
            current = report
            current.draining = current.draining || draining
        }
    }

    func setRunning(_ running: Bool) {
        box.withLockedValue { $0.running = running }
    }

    func setDraining() {
        box.withLockedValue { $0.draining = true }
    }
}
