import BelfryWebhooks
import Testing

@Suite struct RetryPolicyTests {
    @Test(arguments: [
        (200, RetryPolicy.Outcome.delivered(status: 200)), (204, .delivered(status: 204)),
        (400, .rejected(status: 400)), (401, .rejected(status: 401)), (404, .rejected(status: 404)),
        (410, .rejected(status: 410)), (301, .rejected(status: 301)),
        (408, .retryable(reason: "408", retryAfter: nil)), (425, .retryable(reason: "425", retryAfter: nil)),
        (429, .retryable(reason: "429", retryAfter: nil)), (500, .retryable(reason: "500", retryAfter: nil)),
        (503, .retryable(reason: "503", retryAfter: nil)),
    ])
    func statusesAreClassified(status: Int, outcome: RetryPolicy.Outcome) {
        #expect(RetryPolicy.classify(status: status) == outcome)
    }

    @Test func retryAfterSecondsAreRead() {
        #expect(RetryPolicy.classify(status: 429, retryAfter: " 7 ") == .retryable(reason: "429", retryAfter: 7))
        // The HTTP-date form and nonsense are ignored: the backoff applies.
        #expect(
            RetryPolicy.classify(status: 503, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT")
                == .retryable(reason: "503", retryAfter: nil))
        #expect(RetryPolicy.classify(status: 503, retryAfter: "-3") == .retryable(reason: "503", retryAfter: nil))
    }

    @Test func backoffDoublesFromOneSecondUpToSixty() {
        let policy = RetryPolicy()
        let middle = (1...9).map { policy.delay(afterFailures: $0, jitter: 0.5) }
        #expect(middle == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        #expect(policy.delay(afterFailures: 1, jitter: 0) == 0.75)
        #expect(policy.delay(afterFailures: 1, jitter: 0.999_999) < 1.25)
        #expect(policy.delay(afterFailures: 7, jitter: 0.999) == 60)  // 60 × 1.25, capped
        #expect(policy.delay(afterFailures: 1000, jitter: 1) == 60)
    }

    @Test func retryAfterIsHonouredWhenLonger() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterFailures: 1, retryAfter: 30, jitter: 0.5) == 30)
        #expect(policy.delay(afterFailures: 5, retryAfter: 2, jitter: 0.5) == 16)
        // Never longer than the give-up window.
        #expect(policy.delay(afterFailures: 1, retryAfter: 86400, jitter: 0.5) == 300)
    }

    @Test func eventsExpireFiveMinutesAfterCreation() {
        let policy = RetryPolicy()
        #expect(!policy.expired(createdAtMs: 1_000, nowMs: 1_000 + 299_999))
        #expect(policy.expired(createdAtMs: 1_000, nowMs: 1_000 + 300_000))
    }
}
