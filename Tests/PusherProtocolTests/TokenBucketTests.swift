import BelfryTestSupport
import PusherProtocol
import Testing

@Suite struct TokenBucketTests {
    @Test func allowsRatePerSecond() {
        var clock = MockClock()
        var bucket = TokenBucket(ratePerSecond: 3, now: clock.now)
        var taken: [Bool] = []
        for _ in 0..<4 { taken.append(bucket.take(now: clock.now)) }
        #expect(taken == [true, true, true, false])
        clock.advance(seconds: 0.34)
        let refilled = bucket.take(now: clock.now)
        let empty = bucket.take(now: clock.now)
        #expect(refilled && !empty)
        clock.advance(seconds: 10)
        let tooMany = bucket.take(4, now: clock.now)
        let burst = bucket.take(3, now: clock.now)
        #expect(!tooMany && burst)
    }

    @Test func aBurstLargerThanTheRateIsSavedUp() {
        var clock = MockClock()
        var bucket = TokenBucket(ratePerSecond: 10, burst: 200, now: clock.now)
        var taken = 0
        while bucket.take(now: clock.now) { taken += 1 }
        #expect(taken == 200)
        clock.advance(seconds: 1)
        taken = 0
        while bucket.take(now: clock.now) { taken += 1 }
        #expect(taken == 10)
    }

    @Test func remainingAndRetryAfterDescribeTheRefusal() {
        var clock = MockClock()
        var bucket = TokenBucket(ratePerSecond: 2, now: clock.now)
        #expect(bucket.take(now: clock.now) && bucket.remaining == 1)
        #expect(bucket.take(now: clock.now) && bucket.remaining == 0)
        let taken39 = bucket.take(now: clock.now)
        #expect(!taken39)
        #expect(bucket.retryAfterSeconds() == 1)
        // 2 per second, 10 missing: 5 seconds; a cost above the burst never fits and says 1.
        var slow = TokenBucket(ratePerSecond: 2, burst: 10, now: clock.now)
        let taken43 = slow.take(10, now: clock.now)
        #expect(taken43)
        #expect(slow.retryAfterSeconds(cost: 10) == 5)
        #expect(slow.retryAfterSeconds(cost: 50) == 5)
        clock.advance(seconds: 5)
        #expect(slow.isFull(now: clock.now))
    }

    @Test func resizingKeepsTheLevelInsteadOfHandingOutANewBurst() {
        var clock = MockClock()
        var bucket = TokenBucket(ratePerSecond: 100, now: clock.now)
        for _ in 0..<100 { _ = bucket.take(now: clock.now) }
        var slower = bucket.resized(ratePerSecond: 1, now: clock.now)
        let taken55 = slower.take(now: clock.now)
        #expect(!taken55)
        clock.advance(seconds: 1)
        let taken57 = slower.take(now: clock.now)
        #expect(taken57)
        let taken58 = slower.take(now: clock.now)
        #expect(!taken58)
        // A full bucket shrunk to a smaller burst keeps only that burst.
        let full = TokenBucket(ratePerSecond: 100, now: clock.now)
        var small = full.resized(ratePerSecond: 2, now: clock.now)
        #expect(small.take(2, now: clock.now) && !small.take(now: clock.now))
    }

    @Test func aClockThatDoesNotAdvanceAddsNothing() {
        let clock = MockClock(start: 5_000_000_000)
        var bucket = TokenBucket(ratePerSecond: 1, now: clock.now)
        let taken68 = bucket.take(now: clock.now)
        #expect(taken68)
        let taken69 = bucket.take(now: clock.now - 1_000_000_000)
        #expect(!taken69)
        let taken70 = bucket.take(now: clock.now)
        #expect(!taken70)
    }
}
