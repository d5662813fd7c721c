/// When each message is due: message j at start + j/R at a fixed rate, or immediately (flat out).
public struct RateSchedule: Sendable, Equatable {
    /// Messages per second over all publishers; 0 means as fast as responses allow.
    public var rate: Double

    public init(rate: Double) { self.rate = rate }

    /// Microseconds after the start at which message `seq` is due.
    public func dueOffsetMicros(_ seq: Int) -> UInt64 {
        guard rate > 0 else { return 0 }
        return UInt64((Double(seq) * 1_000_000 / rate).rounded(.down))
    }

    /// Whether message `seq` may be sent `elapsedMicros` after the start.
    public func isDue(_ seq: Int, elapsedMicros: UInt64) -> Bool { dueOffsetMicros(seq) <= elapsedMicros }
}
