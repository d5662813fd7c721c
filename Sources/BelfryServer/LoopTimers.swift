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

/// The timers of one event loop in a hashed timing wheel (`TimingWheel`) swept by one task every
/// `resolution`, instead of one scheduled task per connection: no allocation per (re)schedule,
/// and cancelling is O(1) (NIO's scheduled-task cancel searches its whole queue, so a storm of
/// upgrades or disconnects cost O(connections) each). Deadlines fire up to one `resolution` late.
///
/// `@unchecked Sendable`: the wheel and `armed` are only touched on `loop`.
final class LoopTimers: @unchecked Sendable {
    static let resolution: TimeAmount = .milliseconds(100)

    private let loop: EventLoop
    private var wheel: TimingWheel
    private var armed = false

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
        wheel.add(timer, deadline: deadline.uptimeNanoseconds)
        armIfNeeded()
    }

    /// Takes `timer` out of the wheel. On `loop`.
    func cancel(_ timer: LoopTimer) {
        wheel.remove(timer)
    }

    private func armIfNeeded() {
        guard !armed, wheel.count > 0 else { return }
        armed = true
        loop.scheduleTask(in: Self.resolution) { self.sweep() }
    }

    private func sweep() {
        armed = false
        let now = loop.now
        for timer in wheel.expire(now: now.uptimeNanoseconds) {
            timer.deadlinePassed(now: now)
        }
        armIfNeeded()
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

    mutating func add(_ timer: LoopTimer, deadline: UInt64) {
        precondition(!timer.isScheduled, "a timer is in one wheel at a time")
        let tick = max((deadline + resolution - 1) / resolution, nextTick)
        let slot = Int(tick % UInt64(slots.count))
        timer.deadline = deadline
        timer.slot = slot
        timer.index = slots[slot].count
        slots[slot].append(timer)
        count += 1
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
