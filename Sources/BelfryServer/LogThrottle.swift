/// At most one log line per interval for a repeated event of one connection (refused
/// subscriptions, rejected client events): the first is logged at once, the ones that follow
/// within the interval are counted and reported with the next line that is logged.
struct LogThrottle {
    let interval: UInt64
    private var lastLogged: UInt64?
    private var suppressed = 0

    init(intervalNanoseconds: UInt64 = 1_000_000_000) {
        interval = intervalNanoseconds
    }

    /// Nil: do not log this one. Else log it, saying that `suppressed` others were not.
    mutating func shouldLog(now: UInt64) -> (suppressed: Int, Void)? {
        if let lastLogged, now &- lastLogged < interval {
            suppressed += 1
            return nil
        }
        lastLogged = now
        defer { suppressed = 0 }
        return (suppressed, ())
    }
}

/// The throttles of one connection's repeated log lines, made on the first one (most connections
/// never need them).
final class LogThrottles {
    var subscriptionRefusals = LogThrottle()
    var clientEventRejections = LogThrottle()
}
