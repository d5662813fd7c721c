/// A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up (by default the
/// rate). O(1) per check and no allocation; the owner keeps it where it is checked (a
/// connection's event loop, or under the lock of what it limits).
public struct TokenBucket: Sendable, Equatable {
    public let ratePerSecond: Int
    public let burst: Int
    private var tokens: Double
    private var updatedAt: UInt64

    /// A full bucket at `now` (nanoseconds of a monotonic clock).
    public init(ratePerSecond: Int, burst: Int? = nil, now: UInt64) {
        self.ratePerSecond = max(ratePerSecond, 1)
        self.burst = max(burst ?? ratePerSecond, 1)
        self.tokens = Double(self.burst)
        self.updatedAt = now
    }

    /// Takes `cost` tokens if available.
    public mutating func take(_ cost: Int = 1, now: UInt64) -> Bool {
        refill(now: now)
        guard tokens >= Double(cost) else { return false }
        tokens -= Double(cost)
        return true
    }

    /// Whole tokens left after the last `take`, for `X-RateLimit-Remaining`.
    public var remaining: Int { Int(tokens) }

    /// Whole seconds until `cost` tokens are available (at least 1), for `Retry-After`; a cost
    /// above the burst can never be taken and says 1.
    public func retryAfterSeconds(cost: Int = 1) -> Int {
        let missing = min(Double(cost), Double(burst)) - tokens
        guard missing > 0 else { return 1 }
        return max(1, Int((missing / Double(ratePerSecond)).rounded(.up)))
    }

    /// Whether the bucket has been full since `now` (it no longer remembers anything).
    public func isFull(now: UInt64) -> Bool {
        tokens + Double(now &- updatedAt) / 1_000_000_000 * Double(ratePerSecond) >= Double(burst)
    }

    /// The same bucket for changed settings: keeps its level (capped at the new burst), so a
    /// reconcile that changes a limit applies to the next check without handing out a new burst.
    public func resized(ratePerSecond: Int, burst: Int? = nil, now: UInt64) -> TokenBucket {
        var bucket = TokenBucket(ratePerSecond: ratePerSecond, burst: burst, now: now)
        var current = self
        current.refill(now: now)
        bucket.tokens = min(current.tokens, Double(bucket.burst))
        return bucket
    }

    private mutating func refill(now: UInt64) {
        guard now > updatedAt else { return }
        let elapsed = Double(now - updatedAt) / 1_000_000_000
        tokens = min(Double(burst), tokens + elapsed * Double(ratePerSecond))
        updatedAt = now
    }
}
