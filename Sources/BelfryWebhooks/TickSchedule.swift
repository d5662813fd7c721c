/// When webhook delivery ticks: one tick at a time, asked for at start (the outbox may hold
/// events), when an event wakes the service, and after a tick or an answer that leaves work
/// (queued events, requests running). With nothing to do no tick is asked for, so an idle server
/// does not wake for webhooks.
///
/// Pure: each call says whether to start a tick's timer now.
struct TickSchedule {
    /// A tick's timer is running.
    private(set) var pending = false

    /// The service started.
    mutating func started() -> Bool { ask() }

    /// An event arrived in the empty buffer.
    mutating func woken() -> Bool { ask() }

    /// A tick ran; `workLeft` when events are queued or requests run.
    mutating func ticked(workLeft: Bool) -> Bool {
        pending = false
        return workLeft && ask()
    }

    /// A request was answered; `workLeft` as for `ticked`.
    mutating func answered(workLeft: Bool) -> Bool { workLeft && ask() }

    private mutating func ask() -> Bool {
        guard !pending else { return false }
        pending = true
        return true
    }
}
