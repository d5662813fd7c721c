import BelfryTestSupport
import PusherProtocol
import Testing

@Suite struct LivenessTests {
    @Test func pingsAfterActivityTimeoutThenClosesWith4201() {
        var clock = MockClock()
        var machine = LivenessStateMachine(now: clock.now, activityTimeoutSeconds: 120, pongTimeoutSeconds: 30)
        clock.advance(seconds: 119)
        #expect(machine.tick(now: clock.now) == .none)
        clock.advance(seconds: 1)
        #expect(machine.tick(now: clock.now) == .sendPing)
        #expect(machine.nextDeadline == clock.now + 30_000_000_000)
        clock.advance(seconds: 29)
        #expect(machine.tick(now: clock.now) == .none)
        clock.advance(seconds: 1)
        #expect(machine.tick(now: clock.now) == .close(CloseReason(.pongNotReceived)))
    }

    @Test func anyFrameResetsTheTimers() {
        var clock = MockClock()
        var machine = LivenessStateMachine(now: clock.now, activityTimeoutSeconds: 10, pongTimeoutSeconds: 5)
        clock.advance(seconds: 10)
        #expect(machine.tick(now: clock.now) == .sendPing)
        clock.advance(seconds: 2)
        machine.received(now: clock.now)
        clock.advance(seconds: 5)
        #expect(machine.tick(now: clock.now) == .none)
        #expect(machine.nextDeadline == clock.now + 5_000_000_000)
    }
}
