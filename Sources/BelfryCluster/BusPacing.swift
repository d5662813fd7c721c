/// How many messages from the cluster bus a node lets wait on its event loops. Another node's
/// publisher is paced by that node's loops, not by this one's: a node whose subscribers make each
/// message dearer would otherwise queue work (and memory) without bound and fall ever further
/// behind. Past `high` messages queued and not yet run, the node stops reading the bus; Redis keeps
/// what is published meanwhile (up to its pub/sub output buffer limit) and the node reads again
/// once its loops are down to `low`.
struct BusPacing {
    enum Action: Equatable {
        case stopReading
        case resumeReading
    }

    let high: Int
    let low: Int
    private(set) var queued = 0
    private(set) var paused = false

    /// `high` at least 1; reading resumes at half of it.
    init(high: Int) {
        self.high = max(1, high)
        self.low = self.high / 2
    }

    /// A message was queued on the loops.
    mutating func queue() -> Action? {
        queued += 1
        guard !paused, queued >= high else { return nil }
        paused = true
        return .stopReading
    }

    /// A queued message has run on every loop it went to.
    mutating func settle() -> Action? {
        queued -= 1
        guard paused, queued <= low else { return nil }
        paused = false
        return .resumeReading
    }
}
