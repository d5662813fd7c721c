/// The width of the periods a statistics query groups by; buckets are UTC-aligned.
public enum StatsResolution: String, Sendable, CaseIterable {
    case minute, hour, day

    /// The period length in seconds (days are UTC days: no leap seconds, no time zones).
    public var seconds: Double {
        switch self {
        case .minute: return 60
        case .hour: return 3600
        case .day: return 86400
        }
    }

    /// The start of the period containing `time` (seconds since 1970).
    func floor(_ time: Double) -> Double {
        (time / seconds).rounded(.down) * seconds
    }

    /// The end of the period containing `time`, or `time` itself when it is a period boundary.
    func ceil(_ time: Double) -> Double {
        (time / seconds).rounded(.up) * seconds
    }
}
