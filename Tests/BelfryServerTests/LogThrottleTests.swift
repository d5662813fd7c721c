import Testing

@testable import BelfryServer

/// A connection that is refused thousands of times a second produces one log line a second.
@Suite struct LogThrottleTests {
    @Test func repeatsWithinTheIntervalAreCountedNotLogged() {
        var throttle = LogThrottle(intervalNanoseconds: 1_000)
        #expect(throttle.shouldLog(now: 0)?.suppressed == 0)
        var logged = 0
        for t in 1..<5_000 where throttle.shouldLog(now: UInt64(t)) != nil { logged += 1 }
        // 5,000 refusals over 5 intervals: 4 more lines, each reporting the ~999 it stood for.
        #expect(logged == 4)
        #expect(throttle.shouldLog(now: 6_000)?.suppressed == 999)
    }
}
