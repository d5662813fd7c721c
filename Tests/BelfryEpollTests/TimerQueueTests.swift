import Testing

@testable import BelfryEpoll

@Suite struct TimerQueueTests {
    final class Job {
        let name: String
        var cancelled = false
        init(_ name: String) { self.name = name }
    }

    @Test func dueTasksComeOutEarliestFirstAndTiesInTheOrderScheduled() {
        var queue = TimerQueue<Job>()
        for (name, deadline) in [("c", 30), ("a", 10), ("b1", 20), ("late", 99), ("b2", 20)] {
            queue.push(Job(name), deadline: UInt64(deadline))
        }
        #expect(queue.nextDeadline == 10)
        #expect(queue.popDue(now: 5) { $0.cancelled }.isEmpty)
        #expect(queue.popDue(now: 30) { $0.cancelled }.map(\.name) == ["a", "b1", "b2", "c"])
        #expect(queue.count == 1)
        #expect(queue.nextDeadline == 99)
    }

    @Test func aCancelledTaskIsDroppedWhenDue() {
        var queue = TimerQueue<Job>()
        let (kept, cancelled) = (Job("kept"), Job("cancelled"))
        queue.push(cancelled, deadline: 1)
        queue.push(kept, deadline: 2)
        cancelled.cancelled = true
        queue.noteCancelled { $0.cancelled }
        #expect(queue.popDue(now: 10) { $0.cancelled }.map(\.name) == ["kept"])
        #expect(queue.isEmpty)
    }

    @Test func cancelledTasksDoNotGrowTheQueueWithoutBound() {
        var queue = TimerQueue<Job>()
        let live = Job("live")
        queue.push(live, deadline: 5)
        // A churn of long timers, each cancelled soon after it was scheduled.
        for index in 0..<10_000 {
            let job = Job("close timeout \(index)")
            queue.push(job, deadline: 1_000_000)
            job.cancelled = true
            queue.noteCancelled { $0.cancelled }
        }
        #expect(queue.count < 200)
        #expect(queue.nextDeadline == 5)
        #expect(queue.popDue(now: 2_000_000) { $0.cancelled }.map(\.name) == ["live"])
    }

    @Test(arguments: [1, 2, 7, 100, 1000])
    func manyTasksComeOutSorted(count: Int) {
        var queue = TimerQueue<Job>()
        var generator = SystemRandomNumberGenerator()
        var deadlines: [UInt64] = []
        for index in 0..<count {
            let deadline = UInt64.random(in: 0..<500, using: &generator)
            deadlines.append(deadline)
            queue.push(Job("\(index)"), deadline: deadline)
        }
        var popped: [UInt64] = []
        var now: UInt64 = 0
        while !queue.isEmpty {
            now += 50
            let due = queue.popDue(now: now) { $0.cancelled }
            popped += due.map { deadlines[Int($0.name)!] }
        }
        #expect(popped == deadlines.sorted())
    }
}
