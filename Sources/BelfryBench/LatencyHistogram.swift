/// Log-linear histogram of microsecond values (~1.6% resolution), bucket-for-bucket the one in
/// wsload so percentiles from the two tools are comparable; O(1) record, mergeable per event loop.
public struct LatencyHistogram: Sendable, Equatable {
    static let subBuckets = 64
    static let bucketCount = 2 * 64 + 58 * 64

    public private(set) var counts: [UInt64]
    public private(set) var count: UInt64 = 0
    public private(set) var max: UInt64 = 0
    public private(set) var sum: UInt64 = 0

    public init() { counts = Array(repeating: 0, count: Self.bucketCount) }

    /// The bucket holding `value`: exact below 128, then 64 linear steps per power of two.
    static func index(_ value: UInt64) -> Int {
        if value < 128 { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        return 128 + (exponent - 7) * 64 + Int((value >> UInt64(exponent - 6)) & 63)
    }

    /// The largest value that falls into bucket `index`.
    static func upperEdge(_ index: Int) -> UInt64 {
        if index < 128 { return UInt64(index) }
        let exponent = (index - 128) / 64 + 7
        let sub = (index - 128) % 64
        return (UInt64(64 + sub + 1) << UInt64(exponent - 6)) &- 1
    }

    /// Adds one observation.
    public mutating func record(_ value: UInt64) {
        counts[Self.index(value)] &+= 1
        count &+= 1
        sum &+= value
        if value > max { max = value }
    }

    /// Adds another histogram's observations (per-loop histograms are merged at the end).
    public mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<counts.count where other.counts[i] != 0 { counts[i] &+= other.counts[i] }
        count &+= other.count
        sum &+= other.sum
        if other.max > max { max = other.max }
    }

    /// The value at percentile `p` (0...100): the upper edge of the bucket holding the rank
    /// `round(p/100 * n)`, never above the maximum; 0 when empty.
    public func percentile(_ p: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let want = Swift.max(UInt64(p / 100 * Double(count) + 0.5), 1)
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c != 0 {
            seen += c
            if seen >= want { return Swift.min(Self.upperEdge(i), max) }
        }
        return max
    }
}
