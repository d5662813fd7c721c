/// A manual monotonic clock in nanoseconds for driving the pure state machines in tests.
public struct MockClock: Sendable {
    public private(set) var now: UInt64

    public init(start: UInt64 = 1_000_000_000) { self.now = start }

    public mutating func advance(seconds: Double) {
        now += UInt64(seconds * 1_000_000_000)
    }
}
