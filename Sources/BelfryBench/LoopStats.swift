import NIOCore

/// Delivery counters for the subscribers of one event loop, so the per-frame path touches no
/// lock or atomic; the run merges the loops' stats at the end.
///
/// `@unchecked Sendable`: every field is only read or written on `loop`'s thread (handlers run
/// there, and the run reads through `loop.submit`).
final class LoopStats: @unchecked Sendable {
    /// The loop this belongs to.
    let loop: EventLoop?
    var latency = LatencyHistogram()
    var delivered = 0
    var lastFrameMicros: UInt64 = 0
    /// Timestamped frames per connection index (only this loop's connections are touched).
    var perConnection: [UInt32]
    var closedAfterReady = 0

    init(connections: Int, loop: EventLoop?) {
        self.loop = loop
        perConnection = Array(repeating: 0, count: connections)
    }

    /// Records one timestamped frame for connection `index`.
    @inline(__always)
    func record(index: Int, sentMicros: UInt64, now: UInt64) {
        latency.record(now > sentMicros ? now - sentMicros : 0)
        delivered += 1
        perConnection[index] &+= 1
        lastFrameMicros = now
    }
}

/// What the run reads from a loop's stats at the end.
struct LoopStatsSnapshot: Sendable {
    var latency: LatencyHistogram
    var delivered: Int
    var lastFrameMicros: UInt64
    var perConnection: [UInt32]
    var closedAfterReady: Int
}

extension LoopStats {
    var snapshot: LoopStatsSnapshot {
        LoopStatsSnapshot(
            latency: latency, delivered: delivered, lastFrameMicros: lastFrameMicros, perConnection: perConnection,
            closedAfterReady: closedAfterReady)
    }
}
