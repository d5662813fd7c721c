import NIOCore

/// A deadline of one connection (its HTTP idle limit, its liveness check), kept in the
/// `LoopTimers` of the connection's event loop. The connection's handler is the timer (it
/// subclasses this), so a deadline costs no object of its own. Event-loop confined.
class LoopTimer {
    /// Where the timer sits in the wheel: slot, and index within it; -1 while not scheduled.
    fileprivate var slot = -1
    fileprivate var index = -1
    fileprivate(set) var deadline: UInt64 = 0

    var isScheduled: Bool { slot >= 0 }

    /// Called on the loop once the deadline has passed, with the loop's time. The wheel holds
    /// the timer until then (or until `LoopTimers.cancel`).
    func deadlinePassed(now: NIODeadline) {}
}

/// The timers of one event loop in a hashed timing wheel (`TimingWheel`), instead of one
/// scheduled task per connection: no allocation per (re)schedule, and cancelling is O(1) (NIO's
/// scheduled-task cancel searches its whole queue, so a storm of upgrades or disconnects cost
/// O(connections) each). One task sweeps the wheel, scheduled for the first slot that holds a
/// timer: a loop whose connections are all idle wakes when a deadline is due, not every
/// `resolution` (10k idle connections pinged every 30 s: a sweep every 100 ms was half the
/// loop's wake-ups; BENCHMARKS.md, issue 18's eighth step). Deadlines fire up to one
/// `resolution` late.
///
/// `@unchecked Sendable`: the wheel and the armed sweep are only touched on `loop`.
final class LoopTimers: @unchecked Sendable {
    static let resolution: TimeAmount = .milliseconds(100)

    private let loop: EventLoop
    private var wheel: TimingWheel
    /// The sweep scheduled, and the tick it is for.
    private var armed: (tick: UInt64, task: Scheduled<Void>)?
    /// Sweeps run so far (for tests).
    private(set) var sweeps = 0

    private init(loop: EventLoop) {
        self.loop = loop
        self.wheel = TimingWheel(
            now: loop.now.uptimeNanoseconds, resolution: UInt64(Self.resolution.nanoseconds), slotCount: 1024)
    }

    private static let registry = PerLoop { LoopTimers(loop: $0) }

    /// The timers of `loop`, created on first use.
    static func of(_ loop: EventLoop) -> LoopTimers { registry.of(loop) }

    /// (Re)schedules `timer` for `deadline`. On `loop`.
    func schedule(_ timer: LoopTimer, at deadline: NIODeadline) {
        wheel.remove(timer)
        arm(for: wheel.add(timer, deadline: deadline.uptimeNanoseconds))
    }

    /// Takes `timer` out of the wheel. On `loop`. (A sweep already scheduled still runs, once.)
    func cancel(_ timer: LoopTimer) {
        wheel.remove(timer)
    }

    /// Makes sure a sweep runs at `tick` or before (a sweep armed for later is replaced).
    private func arm(for tick: UInt64) {
        if let armed {
            guard tick < armed.tick else { return }
            armed.task.cancel()
        }
        let task = loop.scheduleTask(deadline: .uptimeNanoseconds(tick * wheel.resolution)) { self.sweep() }
        armed = (tick, task)
    }

    private func sweep() {
        armed = nil
        sweeps += 1
        let now = loop.now
        for timer in wheel.expire(now: now.uptimeNanoseconds) {
            timer.deadlinePassed(now: now)
        }
        if let next = wheel.nextOccupiedTick() { arm(for: next) }
    }
}

/// A hashed timing wheel: `slotCount` slots of `resolution` nanoseconds, each timer in the slot
/// of its deadline. A deadline more than one turn away waits in its slot and is passed over
/// until its turn. Pure apart from the timers' position fields; times are given.
struct TimingWheel {
    let resolution: UInt64
    private var slots: [[LoopTimer]]
    /// The tick (time / resolution) whose slot `expire` looks at next.
    private var nextTick: UInt64
    private(set) var count = 0

    init(now: UInt64, resolution: UInt64, slotCount: Int) {
        self.resolution = resolution
        self.slots = Array(repeating: [], count: slotCount)
        self.nextTick = now / resolution
    }

    /// Files `timer` under the tick of its deadline (a tick already swept counts as the next).
    /// - Returns: that tick: a sweep at `tick * resolution` finds the timer due, or a turn early.
    @discardableResult
    mutating func add(_ timer: LoopTimer, deadline: UInt64) -> UInt64 {
        precondition(!timer.isScheduled, "a timer is in one wheel at a time")
        let tick = max((deadline + resolution - 1) / resolution, nextTick)
        let slot = Int(tick % UInt64(slots.count))
        timer.deadline = deadline
        timer.slot = slot
        timer.index = slots[slot].count
        slots[slot].append(timer)
        count += 1
        return tick
    }

    /// The first tick from the next one to sweep whose slot holds a timer, nil when the wheel is
    /// empty. The timer may be due a turn or more later: sweeping then finds it not due, and
    /// looks again. Never later than the earliest deadline's tick.
    func nextOccupiedTick() -> UInt64? {
        guard count > 0 else { return nil }
        let slotCount = UInt64(slots.count)
        for offset in 0..<slotCount where !slots[Int((nextTick + offset) % slotCount)].isEmpty {
            return nextTick + offset
        }
        return nil
    }

    mutating func remove(_ timer: LoopTimer) {
        guard timer.isScheduled else { return }
        let (slot, index) = (timer.slot, timer.index)
        let last = slots[slot].removeLast()
        if index < slots[slot].count {
            slots[slot][index] = last
            last.index = index
        }
        timer.slot = -1
        timer.index = -1
        count -= 1
    }

    /// Takes out and returns the timers whose deadline is at or before `now`.
    mutating func expire(now: UInt64) -> [LoopTimer] {
        let currentTick = now / resolution
        var due: [LoopTimer] = []
        // After a long pause every slot is looked at once, not once per missed tick.
        var visits = 0
        while nextTick <= currentTick, visits < slots.count {
            let slot = Int(nextTick % UInt64(slots.count))
            nextTick += 1
            visits += 1
            if slots[slot].isEmpty { continue }
            var kept: [LoopTimer] = []
            for timer in slots[slot] {
                if timer.deadline <= now {
                    timer.slot = -1
                    timer.index = -1
                    count -= 1
                    due.append(timer)
                } else {
                    timer.index = kept.count
                    kept.append(timer)
                }
            }
            slots[slot] = kept
        }
        if nextTick <= currentTick { nextTick = currentTick + 1 }
        return due
    }
}
