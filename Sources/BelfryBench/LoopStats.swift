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
    /// Latency per subscriber target (server), only when the subscribers are spread over
    /// several; empty otherwise, so a single-server run records nothing extra.
    var targetLatency: [LatencyHistogram]
    var delivered = 0
    var lastFrameMicros: UInt64 = 0
    /// Timestamped frames per connection index (only this loop's connections are touched).
    var perConnection: [UInt32]
    var closedAfterReady = 0

    init(connections: Int, loop: EventLoop?, targets: Int = 0) {
        self.loop = loop
        perConnection = Array(repeating: 0, count: connections)
        targetLatency = Array(repeating: LatencyHistogram(), count: targets)
    }

    /// Records one timestamped frame for connection `index`, connected to subscriber target
    /// `target`.
    @inline(__always)
    func record(index: Int, target: Int, sentMicros: UInt64, now: UInt64) {
        let micros = now > sentMicros ? now - sentMicros : 0
        latency.record(micros)
        if !targetLatency.isEmpty { targetLatency[target].record(micros) }
        delivered += 1
        perConnection[index] &+= 1
        lastFrameMicros = now
    }
}

/// What the run reads from a loop's stats at the end.
struct LoopStatsSnapshot: Sendable {
    var latency: LatencyHistogram
    var targetLatency: [LatencyHistogram]
    var delivered: Int
    var lastFrameMicros: UInt64
    var perConnection: [UInt32]
    var closedAfterReady: Int
}

extension LoopStats {
    var snapshot: LoopStatsSnapshot {
        LoopStatsSnapshot(
            latency: latency, targetLatency: targetLatency, delivered: delivered, lastFrameMicros: lastFrameMicros,
            perConnection: perConnection,
            closedAfterReady: closedAfterReady)
    }
}
