/// One endpoint's undelivered events and its delivery state: which request to send next, and
/// what a request's result does to the queue. Pure: the service owns one per endpoint, performs
/// the requests it returns and reports each result back with the time.
///
/// Events go out oldest first; with several requests in flight a later request may finish
/// first, and a failed one is retried before newer events. While an endpoint fails, only one
/// request at a time probes it, after the backoff.
public struct EndpointQueue: Sendable {
    /// One queued event: its outbox row id and the JSON object sent.
    public struct Entry: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var payload: String
        public var createdAtMs: Int64

        public init(id: Int64, name: String, payload: String, createdAtMs: Int64) {
            self.id = id
            self.name = name
            self.payload = payload
            self.createdAtMs = createdAtMs
        }

        var isConnectionEvent: Bool { name == "connection_opened" || name == "connection_closed" }
    }

    /// How the endpoint is delivered to (from its manifest and the server's defaults).
    public struct Settings: Sendable, Equatable {
        public var batch: Bool
        public var maxConcurrent: Int
        public var maxBatch: Int

        public init(batch: Bool, maxConcurrent: Int = 4, maxBatch: Int = 100) {
            self.batch = batch
            self.maxConcurrent = maxConcurrent
            self.maxBatch = maxBatch
        }
    }

    /// A request to send: its number (to report the result) and its events in order.
    public struct Request: Sendable, Equatable {
        public var number: Int
        public var entries: [Entry]
    }

    /// What a result did: rows to delete and what to count and log.
    public struct Completion: Sendable, Equatable {
        public var deleteIDs: [Int64] = []
        public var sent = 0
        public var failed = 0
        public var retried = 0
        public var expired = 0
        /// Sum of (delivery time − creation time) of the sent events.
        public var latencyMsSum: Int64 = 0
        public var log: Log?
    }

    /// Log lines worth writing: a failure once per sequence of failed attempts, not every retry.
    public enum Log: Sendable, Equatable {
        case failing(reason: String, retryInSeconds: Double)
        case rejected(status: Int, events: Int)
        case gaveUp(reason: String, events: Int)
        case recovered(afterFailures: Int)
    }

    public var policy: RetryPolicy
    private var retry: [Entry] = []
    private var pending: [Entry] = []
    private var head = 0
    private var inFlight: [Int: [Entry]] = [:]
    private var nextNumber = 0
    /// Payload bytes of the events queued or in flight (the outbox's memory bound counts them).
    public private(set) var bytes = 0
    /// Failed requests in a row; 0 while the endpoint answers.
    public private(set) var failures = 0
    private var notBeforeMs: Int64 = 0
    public private(set) var lastSuccessMs: Int64?
    public private(set) var lastFailure: (atMs: Int64, reason: String)?

    public init(policy: RetryPolicy = RetryPolicy()) {
        self.policy = policy
    }

    /// Events queued or in flight (rows still in the outbox).
    public var depth: Int { retry.count + pending.count - head + inFlight.values.reduce(0) { $0 + $1.count } }

    /// Creation time of the oldest undelivered event.
    public var oldestCreatedAtMs: Int64? {
        var oldest = retry.first?.createdAtMs
        if head < pending.count { oldest = min(oldest ?? .max, pending[head].createdAtMs) }
        for entries in inFlight.values {
            if let first = entries.first { oldest = min(oldest ?? .max, first.createdAtMs) }
        }
        return oldest
    }

    /// Requests sent and not answered yet.
    public var inFlightRequests: Int { inFlight.count }

    /// Whether any event waits to be sent (in flight ones aside).
    public var hasWaiting: Bool { !retry.isEmpty || head < pending.count }

    public mutating func append(_ entries: [Entry]) {
        pending.append(contentsOf: entries)
        bytes += entries.reduce(0) { $0 + $1.payload.utf8.count }
    }

    /// The next request to send now, if the endpoint has events, a free request slot and no
    /// backoff running.
    public mutating func next(nowMs: Int64, settings: Settings) -> Request? {
        let limit = failures > 0 ? 1 : max(1, settings.maxConcurrent)
        guard inFlight.count < limit, nowMs >= notBeforeMs, let first = peek(0) else { return nil }
        var count = 1
        let maxBatch = max(1, settings.maxBatch)
        if settings.batch || first.isConnectionEvent {
            while count < maxBatch, let entry = peek(count), settings.batch || entry.isConnectionEvent {
                count += 1
            }
        }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(take()) }
        nextNumber += 1
        inFlight[nextNumber] = entries
        return Request(number: nextNumber, entries: entries)
    }

    /// Applies the result of request `number` at `nowMs`; `jitter` in 0..<1 spreads the backoff.
    public mutating func complete(_ number: Int, outcome: RetryPolicy.Outcome, nowMs: Int64, jitter: Double)
        -> Completion
    {
        guard let entries = inFlight.removeValue(forKey: number) else { return Completion() }
        var result = Completion()
        defer {
            let gone = Set(result.deleteIDs)
            bytes -= entries.reduce(0) { $0 + (gone.contains($1.id) ? $1.payload.utf8.count : 0) }
        }
        switch outcome {
        case .delivered:
            if failures > 0 { result.log = .recovered(afterFailures: failures) }
            failures = 0
            notBeforeMs = 0
            lastSuccessMs = nowMs
            result.deleteIDs = entries.map(\.id)
            result.sent = entries.count
            result.latencyMsSum = entries.reduce(0) { $0 + max(0, nowMs - $1.createdAtMs) }
        case .rejected(let status):
            // The receiver answered: not a reason to slow down, but these events will not go.
            failures = 0
            notBeforeMs = 0
            lastFailure = (nowMs, "HTTP \(status)")
            result.deleteIDs = entries.map(\.id)
            result.failed = entries.count
            result.log = .rejected(status: status, events: entries.count)
        case .retryable(let reason, let retryAfter):
            failures += 1
            let delay = policy.delay(afterFailures: failures, retryAfter: retryAfter, jitter: jitter)
            notBeforeMs = max(notBeforeMs, nowMs + Int64(delay * 1000))
            lastFailure = (nowMs, reason)
            let expired = entries.filter { policy.expired(createdAtMs: $0.createdAtMs, nowMs: nowMs) }
            let kept = entries.filter { !policy.expired(createdAtMs: $0.createdAtMs, nowMs: nowMs) }
            result.deleteIDs = expired.map(\.id)
            result.expired = expired.count
            result.retried = kept.count
            requeue(kept)
            if !expired.isEmpty {
                result.log = .gaveUp(reason: reason, events: expired.count)
            } else if failures == 1 {
                result.log = .failing(reason: reason, retryInSeconds: delay)
            }
        }
        return result
    }

    /// Empties the queue (the endpoint was removed); returns how many events it held.
    public mutating func removeAll() -> Int {
        let count = depth
        bytes = 0
        retry = []
        pending = []
        head = 0
        inFlight = [:]
        return count
    }

    private func peek(_ offset: Int) -> Entry? {
        if offset < retry.count { return retry[offset] }
        let index = head + offset - retry.count
        return index < pending.count ? pending[index] : nil
    }

    private mutating func take() -> Entry {
        if !retry.isEmpty { return retry.removeFirst() }
        let entry = pending[head]
        head += 1
        if head > 1024, head * 2 > pending.count {
            pending.removeFirst(head)
            head = 0
        }
        return entry
    }

    /// Puts failed events back before the others, in id order.
    private mutating func requeue(_ entries: [Entry]) {
        guard !entries.isEmpty else { return }
        retry = (retry + entries).sorted { $0.id < $1.id }
    }
}
