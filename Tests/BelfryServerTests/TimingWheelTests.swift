import NIOCore
import NIOEmbedded
import Testing

@testable import BelfryServer

/// The timing wheel behind every connection's deadlines: timers fire once their deadline has
/// passed (not before, at most one resolution after), cancel in O(1) from the middle of a slot,
/// and deadlines beyond one turn of the wheel wait for their turn.
@Suite struct TimingWheelTests {
    private let ms: UInt64 = 1_000_000

    private func timer() -> LoopTimer { LoopTimer() }

    /// A timer that notes when it fires.
    final class Recorder: LoopTimer {
        let name: String
        let log: (String) -> Void
        init(_ name: String, _ log: @escaping (String) -> Void) {
            self.name = name
            self.log = log
        }
        override func deadlinePassed(now: NIODeadline) { log(name) }
    }

    @Test func firesOnlyOnceTheDeadlineHasPassed() {
        var wheel = TimingWheel(now: 0, resolution: 100 * ms, slotCount: 8)
        let a = timer()
        wheel.add(a, deadline: 250 * ms)
        #expect(wheel.expire(now: 200 * ms).isEmpty)
        #expect(wheel.expire(now: 249 * ms).isEmpty)
        #expect(wheel.expire(now: 300 * ms).map(ObjectIdentifier.init) == [ObjectIdentifier(a)])
        #expect(wheel.count == 0 && !a.isScheduled)
    }

    @Test func aDeadlineBeyondOneTurnWaitsForItsTurn() {
        var wheel = TimingWheel(now: 0, resolution: 100 * ms, slotCount: 8)  // one turn: 800 ms
        let far = timer()
        wheel.add(far, deadline: 2_050 * ms)
        var fired: UInt64?
        for step in UInt64(1)...30 where fired == nil {
            if !wheel.expire(now: step * 100 * ms).isEmpty { fired = step * 100 }
        }
        #expect(fired == 2_100)
    }

    @Test func cancellingFromTheMiddleOfASlotKeepsTheOthers() {
        var wheel = TimingWheel(now: 0, resolution: 100 * ms, slotCount: 8)
        let timers = (0..<5).map { _ in timer() }
        for t in timers { wheel.add(t, deadline: 150 * ms) }
        wheel.remove(timers[1])
        wheel.remove(timers[3])
        wheel.remove(timers[3])  // twice is harmless
        #expect(wheel.count == 3)
        let fired = Set(wheel.expire(now: 200 * ms).map(ObjectIdentifier.init))
        #expect(fired == Set([timers[0], timers[2], timers[4]].map(ObjectIdentifier.init)))
    }

    @Test func aPastDeadlineFiresAtTheNextSweepAndALongPauseFindsEverything() {
        var wheel = TimingWheel(now: 1_000 * ms, resolution: 100 * ms, slotCount: 8)
        let past = timer()
        wheel.add(past, deadline: 10 * ms)
        #expect(wheel.expire(now: 1_000 * ms).count == 1)
        let spread = (1...20).map { i -> LoopTimer in
            let t = timer()
            wheel.add(t, deadline: (1_000 + UInt64(i) * 170) * ms)
            return t
        }
        // A pause of many turns: one sweep finds every due timer, and later ones still wait.
        #expect(wheel.expire(now: 3_000 * ms).count == 11)
        #expect(wheel.count == 9)
        #expect(wheel.expire(now: 10_000 * ms).count == 9)
        #expect(spread.allSatisfy { !$0.isScheduled })
    }

    @Test func theNextOccupiedTickIsNeverLaterThanTheEarliestDeadline() {
        var wheel = TimingWheel(now: 0, resolution: 100 * ms, slotCount: 8)  // one turn: 800 ms
        #expect(wheel.nextOccupiedTick() == nil)
        let far = timer()
        #expect(wheel.add(far, deadline: 2_050 * ms) == 21)
        // Slot 21 % 8 = 5 is looked at first at tick 5, a turn or two early.
        #expect(wheel.nextOccupiedTick() == 5)
        let near = timer()
        #expect(wheel.add(near, deadline: 250 * ms) == 3)
        #expect(wheel.nextOccupiedTick() == 3)
        #expect(wheel.expire(now: 300 * ms).map(ObjectIdentifier.init) == [ObjectIdentifier(near)])
        #expect(wheel.nextOccupiedTick() == 5)
        #expect(wheel.expire(now: 500 * ms).isEmpty)
        #expect(wheel.nextOccupiedTick() == 13)
        wheel.remove(far)
        #expect(wheel.nextOccupiedTick() == nil)
    }

    /// An idle loop sweeps when a deadline is due, not every resolution; a nearer deadline added
    /// later moves the sweep earlier.
    @Test func loopTimersSweepOnlyWhenADeadlineIsDue() {
        let loop = EmbeddedEventLoop()
        let timers = LoopTimers.of(loop)
        var fired: [String] = []
        let a = Recorder("a") { fired.append($0) }
        let b = Recorder("b") { fired.append($0) }
        timers.schedule(a, at: loop.now + .seconds(60))
        loop.advanceTime(by: .seconds(29))
        #expect(fired.isEmpty && timers.sweeps == 0)
        timers.schedule(b, at: loop.now + .seconds(1))
        loop.advanceTime(by: .milliseconds(1_100))
        #expect(fired == ["b"] && timers.sweeps == 1)
        loop.advanceTime(by: .seconds(29))
        #expect(fired == ["b"] && timers.sweeps == 1)
        loop.advanceTime(by: .seconds(1))
        #expect(fired == ["b", "a"] && timers.sweeps == 2)
        loop.advanceTime(by: .seconds(100))
        #expect(timers.sweeps == 2, "an empty wheel is not swept")
    }

    @Test func loopTimersRunActionsOnTheLoopAndCancelDropsThem() {
        let loop = EmbeddedEventLoop()
        let timers = LoopTimers.of(loop)
        var fired: [String] = []
        let a = Recorder("a") { fired.append($0) }
        let b = Recorder("b") { fired.append($0) }
        timers.schedule(a, at: loop.now + .seconds(1))
        timers.schedule(b, at: loop.now + .seconds(1))
        timers.cancel(b)
        loop.advanceTime(by: .milliseconds(900))
        #expect(fired.isEmpty)
        loop.advanceTime(by: .milliseconds(200))
        #expect(fired == ["a"])
        timers.schedule(a, at: loop.now + .seconds(2))
        timers.schedule(a, at: loop.now + .seconds(3))  // rescheduling moves it
        loop.advanceTime(by: .milliseconds(2_500))
        #expect(fired == ["a"])
        loop.advanceTime(by: .milliseconds(600))
        #expect(fired == ["a", "a"])
    }
}
