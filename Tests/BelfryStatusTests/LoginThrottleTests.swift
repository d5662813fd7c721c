import Testing

@testable import BelfryStatus

@Suite struct LoginThrottleTests {
    @Test func fiveFreeFailuresThenDoublingWaits() {
        var throttle = LoginThrottle()
        for _ in 0..<4 { throttle.recordFailure(email: "a@x", address: "1.1.1.1", now: 100) }
        #expect(throttle.wait(email: "a@x", address: "1.1.1.1", now: 100) == 0)
        throttle.recordFailure(email: "a@x", address: "1.1.1.1", now: 100)
        #expect(throttle.wait(email: "a@x", address: "1.1.1.1", now: 100) == 1)
        throttle.recordFailure(email: "a@x", address: "1.1.1.1", now: 101)
        #expect(throttle.wait(email: "a@x", address: "1.1.1.1", now: 101) == 2)
        throttle.recordFailure(email: "a@x", address: "1.1.1.1", now: 103)
        #expect(throttle.wait(email: "a@x", address: "1.1.1.1", now: 103) == 4)
        #expect(throttle.wait(email: "a@x", address: "1.1.1.1", now: 107) == 0)
    }

    @Test func theWaitIsCappedAndGuessingIsSlow() {
        var throttle = LoginThrottle()
        var now = 0
        var guesses = 0
        // An attacker who guesses whenever allowed, for a day, on one email from many addresses.
        while now < 86_400 {
            let wait = throttle.wait(email: "a@x", address: "10.0.0.\(guesses % 250)", now: now)
            if wait > 0 {
                now += wait
                continue
            }
            throttle.recordFailure(email: "a@x", address: "10.0.0.\(guesses % 250)", now: now)
            guesses += 1
        }
        #expect(guesses < 120)
        #expect(throttle.wait(email: "a@x", address: "9.9.9.9", now: now) <= 900)
    }

    @Test func theEmailIsBlockedFromEveryAddressAndTheAddressForEveryEmail() {
        var throttle = LoginThrottle()
        for i in 0..<6 { throttle.recordFailure(email: "A@X", address: "10.0.0.\(i)", now: 0) }
        #expect(throttle.wait(email: "a@x", address: "10.9.9.9", now: 0) > 0)
        var spray = LoginThrottle()
        for i in 0..<6 { spray.recordFailure(email: "user\(i)@x", address: "6.6.6.6", now: 0) }
        #expect(spray.wait(email: "someone@x", address: "6.6.6.6", now: 0) > 0)
        #expect(spray.wait(email: "someone@x", address: "7.7.7.7", now: 0) == 0)
    }

    @Test func successClearsTheEmailNotTheAddress() {
        var throttle = LoginThrottle()
        for i in 0..<6 { throttle.recordFailure(email: "a@x", address: "6.6.6.6", now: i) }
        throttle.recordSuccess(email: "a@x")
        #expect(throttle.wait(email: "a@x", address: "7.7.7.7", now: 6) == 0)
        #expect(throttle.wait(email: "a@x", address: "6.6.6.6", now: 6) > 0)
    }

    @Test func failuresAreForgottenAfterQuiet() {
        var throttle = LoginThrottle()
        for _ in 0..<10 { throttle.recordFailure(email: "a@x", address: "1", now: 0) }
        throttle.recordFailure(email: "a@x", address: "1", now: 5000)
        #expect(throttle.wait(email: "a@x", address: "1", now: 5000) == 0)
    }

    @Test func memoryIsBounded() {
        var throttle = LoginThrottle(rules: .init(maxKeys: 100))
        for i in 0..<1000 { throttle.recordFailure(email: "u\(i)@x", address: "a\(i)", now: i) }
        #expect(throttle.emails.count <= 100)
        #expect(throttle.addresses.count <= 100)
        // The newest keys are the ones kept.
        #expect(throttle.emails["u999@x"] != nil)
    }
}
