/// The scheduled tasks of one loop: a binary min-heap ordered by deadline, then by the order they
/// were scheduled in (two tasks for the same deadline run first-scheduled first). Pure: times
/// are given, and what a task is, is the caller's.
///
/// A cancelled task is not searched for: the loop marks it and `popDue` drops it when it is due, and the
/// heap is rebuilt without the cancelled ones once they are more than half of it, so a churn of
/// long timers that are cancelled (a close timeout per connection) cannot grow it without bound.
struct TimerQueue<Task> {
    struct Entry {
        let deadline: UInt64
        let sequence: UInt64
        let task: Task
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0
    /// Entries still in the heap whose task was cancelled (counted by `noteCancelled`).
    private var cancelled = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }

    /// The earliest deadline held (cancelled entries included: waking for one costs a loop pass).
    var nextDeadline: UInt64? { heap.first?.deadline }

    mutating func push(_ task: Task, deadline: UInt64) {
        heap.append(Entry(deadline: deadline, sequence: nextSequence, task: task))
        nextSequence &+= 1
        siftUp(heap.count - 1)
    }

    /// Takes out and returns, earliest first, the tasks whose deadline is at or before `now`;
    /// cancelled ones (`isCancelled`) are taken out and dropped.
    mutating func popDue(now: UInt64, isCancelled: (Task) -> Bool) -> [Task] {
        var due: [Task] = []
        while let first = heap.first, first.deadline <= now {
            let task = removeFirst().task
            if isCancelled(task) {
                cancelled = max(cancelled - 1, 0)
            } else {
                due.append(task)
            }
        }
        return due
    }

    /// Records that one entry's task was cancelled; rebuilds the heap without the cancelled ones
    /// (`isCancelled`) when they are the larger part of it.
    mutating func noteCancelled(isCancelled: (Task) -> Bool) {
        cancelled += 1
        guard cancelled > 64, cancelled * 2 > heap.count else { return }
        heap.removeAll { isCancelled($0.task) }
        cancelled = 0
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    /// Takes out every task, in no particular order (the loop fails them when it stops).
    mutating func removeAll() -> [Task] {
        defer {
            heap = []
            cancelled = 0
        }
        return heap.map(\.task)
    }

    private mutating func removeFirst() -> Entry {
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return first
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let (x, y) = (heap[a], heap[b])
        return x.deadline != y.deadline ? x.deadline < y.deadline : x.sequence < y.sequence
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let child = right < heap.count && precedes(right, left) ? right : left
            guard precedes(child, parent) else { return }
            heap.swapAt(child, parent)
            parent = child
        }
    }
}
