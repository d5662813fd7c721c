import NIOCore

/// Paces the M publishes over the K publisher connections (at most D in flight on each), at a
/// fixed rate or flat out, and counts responses.
///
/// `@unchecked Sendable`: confined to `loop`; the publisher connections all live on that loop
/// and the run reads state through `loop.submit`.
final class PublishDriver: @unchecked Sendable {
    let loop: EventLoop
    private let request: PublishRequest
    private let schedule: RateSchedule
    private let messages: Int
    private let depth: Int
    private var handlers: [PublisherHandler] = []
    private var nextSeq = 0
    private var started = false
    private var timer: Scheduled<Void>?
    private var refillPending = false
    private(set) var state = PublishState()

    init(loop: EventLoop, request: PublishRequest, options: BenchOptions) {
        self.loop = loop
        self.request = request
        self.schedule = RateSchedule(rate: options.rate)
        self.messages = options.messages
        self.depth = options.depth
    }

    func attach(_ handler: PublisherHandler) {
        handlers.append(handler)
        if started { pump() }
    }

    func detach(_ handler: PublisherHandler, unanswered: Int) {
        handlers.removeAll { $0 === handler }
        state.err += unanswered
        if started && !state.finished { note("publisher connection closed with \(unanswered) unanswered") }
        if handlers.isEmpty { state.stopped = true }
    }

    func note(_ text: String) {
        if state.notes.count < 5 { state.notes.append(text) }
    }

    /// Starts publishing now (the first POST is written here).
    func start() {
        started = true
        state.startMicros = MonotonicClock.micros()
        if handlers.isEmpty { state.stopped = true }
        pump()
    }

    /// Stops writing new requests (time limit).
    func stop() {
        state.stopped = true
        timer?.cancel()
    }

    func responded(status: Int, rttMicros: UInt64) {
        state.rtt.record(rttMicros)
        if (200..<300).contains(status) {
            state.ok += 1
        } else {
            state.err += 1
            if state.firstErrorStatus == nil {
                state.firstErrorStatus = status
                note("first publish error: HTTP \(status)")
            }
        }
        if state.ok + state.err >= state.sent { state.endMicros = MonotonicClock.micros() }
        refillPending = true
    }

    /// After a read: writes the requests that the responses just read made room for, all in one
    /// flush per connection (a flush per response would cost the client a syscall each).
    func readComplete() {
        guard refillPending else { return }
        refillPending = false
        pump()
    }

    /// Writes every due message that has a free slot, then waits for a response or the next due time.
    private func pump() {
        guard started, !state.stopped else { return }
        var touched = false
        while nextSeq < messages {
            let now = MonotonicClock.micros()
            let due = state.startMicros + schedule.dueOffsetMicros(nextSeq)
            if due > now {
                if timer == nil {
                    timer = loop.scheduleTask(in: .microseconds(Int64(due - now))) { [self] in
                        timer = nil
                        pump()
                    }
                }
                break
            }
            guard let handler = handlers.min(by: { $0.inFlight < $1.inFlight }), handler.inFlight < depth else { break }
            handler.write(request.bytes(seq: nextSeq, micros: now, unixTime: MonotonicClock.unixSeconds()))
            nextSeq += 1
            state.sent += 1
            touched = true
        }
        if touched { handlers.forEach { $0.flush() } }
        state.allWritten = nextSeq >= messages
    }

    /// Closes the publisher connections.
    func closeAll() { handlers.forEach { $0.close() } }
}

/// The publish counters the run polls.
struct PublishState: Sendable {
    var sent = 0
    var ok = 0
    var err = 0
    var startMicros: UInt64 = 0
    /// When the last response so far arrived.
    var endMicros: UInt64 = 0
    var allWritten = false
    var stopped = false
    var firstErrorStatus: Int?
    var rtt = LatencyHistogram()
    var notes: [String] = []

    /// Every written request is answered and no more will be written.
    var finished: Bool { (allWritten || stopped) && ok + err >= sent }
}
