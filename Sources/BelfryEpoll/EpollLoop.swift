import CEpoll
import Dispatch
import Glibc
import NIOConcurrencyHelpers
import NIOCore

/// An event loop on a thread of its own, over epoll(7), for sockets served without NIO's channel
/// layer (BENCHMARKS.md, issue 18's fifth step: per socket, a small object and plain `read(2)` and
/// `write(2)` instead of a channel, a pipeline and write bookkeeping).
///
/// It is a NIO `EventLoop`: code that runs tasks, schedules timers, makes promises or keys state
/// by loop works on it unchanged. Descriptors are watched with `register`; their owner (an
/// `EpollHandler`) is called on the loop when they are ready. Each turn of the loop: wait for
/// events (or the next timer, or a task), handle the events, run the timers that are due, then
/// the tasks queued so far, so a task queued while handling a turn's events runs after all of
/// them (the end-of-turn flush relies on this, as it does on NIO's loops).
///
/// `@unchecked Sendable`: `thread` is written before `init` returns and never again; `incoming`
/// is behind its lock; everything else is only touched on the loop's thread.
public final class EpollLoop: EventLoop, @unchecked Sendable {
    private let epoll: Int32
    /// An eventfd other threads write to wake the loop for the tasks they queued.
    private let wakeup: Int32
    private var thread = pthread_t()

    private struct Incoming {
        var tasks: [@Sendable () -> Void] = []
        /// The loop has been woken for the tasks queued since it last took them.
        var woken = false
        var shuttingDown = false
        var shutdownCallbacks: [(DispatchQueue, @Sendable (Error?) -> Void)] = []
    }
    private let incoming = NIOLockedValueBox(Incoming())

    // Loop-confined.
    private var tasks: [@Sendable () -> Void] = []
    private var timers = TimerQueue<EpollTimer>()
    private var handlers: [EpollHandler?] = []
    private var stopped = false
    /// Where every `StreamSocket` of this loop reads into (one read at a time, on the loop).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)

    /// Starts the loop's thread.
    /// - Parameter name: the thread's name, as `top -H` and `perf` show it (15 bytes at most).
    public init(name: String = "belfry-epoll") throws(EpollError) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw EpollError(call: "epoll_create1", errno: errno) }
        wakeup = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeup >= 0 else {
            let error = EpollError(call: "eventfd", errno: errno)
            Glibc.close(epoll)
            throw error
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeup
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event)
        try startThread(name: name)
    }

    deinit {
        readBuffer.deallocate()
        Glibc.close(wakeup)
        Glibc.close(epoll)
    }

    /// Runs `run()` on a new thread and returns once the thread has recorded who it is, so that
    /// `inEventLoop` never reads `thread` while it is written.
    private func startThread(name: String) throws(EpollError) {
        let started = ConditionLock(value: false)
        let start = ThreadStart(loop: self, name: name, started: started)
        var handle = pthread_t()
        let result = pthread_create(
            &handle, nil,
            { argument in
                let start = Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue()
                start.loop.thread = pthread_self()
                pthread_setspecific(currentLoopKey, Unmanaged.passUnretained(start.loop).toOpaque())
                pthread_setname_np(pthread_self(), String(start.name.prefix(15)))
                start.started.lock()
                start.started.unlock(withValue: true)
                start.loop.run()
                return nil
            }, Unmanaged.passRetained(start).toOpaque())
        guard result == 0 else {
            Unmanaged.passUnretained(start).release()
            throw EpollError(call: "pthread_create", errno: result)
        }
        pthread_detach(handle)
        started.lock(whenValue: true)
        started.unlock()
    }

    // MARK: EventLoop

    /// The loop whose thread this is, nil off every `EpollLoop` (as
    /// `MultiThreadedEventLoopGroup.currentEventLoop` is for NIO's loops).
    public static var current: EpollLoop? {
        pthread_getspecific(currentLoopKey).map { Unmanaged<EpollLoop>.fromOpaque($0).takeUnretainedValue() }
    }

    public var inEventLoop: Bool { pthread_equal(pthread_self(), thread) != 0 }

    public func execute(_ task: @escaping @Sendable () -> Void) {
        if inEventLoop {
            tasks.append(task)
            return
        }
        let needsWake = incoming.withLockedValue { incoming -> Bool in
            // A task given to a loop that has stopped is dropped, as NIO's loops do.
            guard !incoming.shuttingDown else { return false }
            incoming.tasks.append(task)
            defer { incoming.woken = true }
            return !incoming.woken
        }
        if needsWake { signal(wakeup) }
    }

    public func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        let promise: EventLoopPromise<T> = makePromise()
        let scheduled = EpollTimer(deadline: deadline.uptimeNanoseconds) {
            // Run on the loop, where the promise may take a value that is not Sendable.
            do { promise.assumeIsolated().succeed(try task()) } catch { promise.fail(error) }
        } failure: { error in
            promise.fail(error)
        }
        onLoop { $0.add(scheduled) }
        // The loop is held, not weakly: a weak reference would give the loop a side table, and
        // every retain and release of it would take the runtime's slow path from then on.
        return Scheduled(promise: promise) {
            self.onLoop { $0.cancel(scheduled) }
        }
    }

    public func scheduleTask<T>(in delay: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        scheduleTask(deadline: .now() + delay, task)
    }

    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable (Error?) -> Void) {
        let first = incoming.withLockedValue { incoming -> Bool in
            incoming.shutdownCallbacks.append((queue, callback))
            defer { incoming.shuttingDown = true }
            return !incoming.shuttingDown
        }
        if first { signal(wakeup) }
    }

    /// Calls `body` on the loop at `deadline`, once. On the loop. The loop's own timer:
    /// `scheduleTask` (NIO's interface, for code written for any loop) adds a promise and a
    /// future to every timer and, on this loop, runtime look-ups of generic metadata. A sweep
    /// rescheduled every 100 ms through `scheduleRepeatedTask` made the epoll floor's idle 10k
    /// connections about 30% dearer (BENCHMARKS.md, issue 18's sixth step).
    /// - Returns: the timer, for `cancel()`.
    @discardableResult
    public func schedule(at deadline: NIODeadline, _ body: @escaping () -> Void) -> EpollTimer {
        precondition(inEventLoop, "EpollLoop.schedule off the loop")
        let timer = EpollTimer(deadline: deadline.uptimeNanoseconds, body: body) { _ in }
        timer.loop = self
        add(timer)
        return timer
    }

    // MARK: Descriptors

    /// Watches `fd` for `interest`; `handler` is called on the loop when it is ready, until
    /// `deregister`. On the loop. The loop holds the handler until then.
    public func register(_ fd: Int32, interest: EpollEvents, handler: EpollHandler) throws(EpollError) {
        precondition(inEventLoop, "EpollLoop.register off the loop")
        try control(EPOLL_CTL_ADD, fd, interest)
        if Int(fd) >= handlers.count {
            handlers += [EpollHandler?](repeating: nil, count: Int(fd) + 1024 - handlers.count)
        }
        handlers[Int(fd)] = handler
    }

    /// Changes what `fd` is watched for. On the loop.
    public func modify(_ fd: Int32, interest: EpollEvents) throws(EpollError) {
        try control(EPOLL_CTL_MOD, fd, interest)
    }

    /// Stops watching `fd` and lets go of its handler; call it before closing `fd`. On the loop.
    public func deregister(_ fd: Int32) {
        guard Int(fd) < handlers.count, handlers[Int(fd)] != nil else { return }
        handlers[Int(fd)] = nil
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
    }

    private func control(_ operation: Int32, _ fd: Int32, _ interest: EpollEvents) throws(EpollError) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.fd = fd
        guard epoll_ctl(epoll, operation, fd, &event) == 0 else { throw EpollError(call: "epoll_ctl", errno: errno) }
    }

    // MARK: The loop

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while !stopped {
            let ready = epoll_wait(epoll, &events, Int32(events.count), waitMilliseconds())
            for event in events.prefix(Int(max(ready, 0))) {
                let fd = event.data.fd
                if fd == wakeup {
                    var count: UInt64 = 0
                    _ = read(wakeup, &count, 8)
                } else if Int(fd) < handlers.count, let handler = handlers[Int(fd)] {
                    handler.ready(EpollEvents(rawValue: event.events))
                }
            }
            runDueTimers()
            runTasks()
        }
        finish()
    }

    /// How long to wait for events: not at all with tasks queued, else until the next timer.
    private func waitMilliseconds() -> Int32 {
        if !tasks.isEmpty { return 0 }
        guard let deadline = timers.nextDeadline else { return -1 }
        let now = NIODeadline.now().uptimeNanoseconds
        guard deadline > now else { return 0 }
        return Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
    }

    private func runDueTimers() {
        guard !timers.isEmpty else { return }
        for task in timers.popDue(now: NIODeadline.now().uptimeNanoseconds, isCancelled: \.isCancelled) {
            task.run()
        }
    }

    /// Runs the tasks queued on the loop and by other threads so far; those they queue run in the
    /// next turn, after its events.
    private func runTasks() {
        let (others, shuttingDown) = incoming.withLockedValue { incoming in
            defer {
                incoming.tasks = []
                incoming.woken = false
            }
            return (incoming.tasks, incoming.shuttingDown)
        }
        let batch = tasks + others
        tasks = []
        for task in batch { task() }
        if shuttingDown { stopped = true }
    }

    /// After the last turn: the timers still waiting fail, and the shutdown callbacks are called.
    private func finish() {
        for task in timers.removeAll() where !task.isCancelled { task.fail(EventLoopError.shutdown) }
        let callbacks = incoming.withLockedValue { incoming in
            defer { incoming.shutdownCallbacks = [] }
            return incoming.shutdownCallbacks
        }
        for (queue, callback) in callbacks { queue.async { callback(nil) } }
    }

    private func onLoop(_ body: @escaping @Sendable (EpollLoop) -> Void) {
        if inEventLoop { body(self) } else { execute { body(self) } }
    }

    private func add(_ task: EpollTimer) {
        // Cancelled before it got here (scheduled from another thread, cancelled on the loop).
        guard !task.isCancelled else { return }
        guard !stopped else { return task.fail(EventLoopError.shutdown) }
        timers.push(task, deadline: task.deadline)
    }

    fileprivate func cancel(_ task: EpollTimer) {
        guard !task.isCancelled, !task.hasRun else { return }
        task.isCancelled = true
        task.loop = nil
        task.fail(EventLoopError.cancelled)
        timers.noteCancelled(isCancelled: \.isCancelled)
    }
}

/// Each loop's thread keeps its loop here (`EpollLoop.current`); the thread runs inside the
/// loop's `run()`, so the loop outlives the value.
private let currentLoopKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create")
    return key
}()

private func signal(_ eventfd: Int32) {
    var one: UInt64 = 1
    _ = write(eventfd, &one, 8)
}

/// What the new thread needs, passed through `pthread_create`'s one pointer.
private final class ThreadStart {
    let loop: EpollLoop
    let name: String
    let started: ConditionLock<Bool>

    init(loop: EpollLoop, name: String, started: ConditionLock<Bool>) {
        self.loop = loop
        self.name = name
        self.started = started
    }
}

/// A timer of `schedule(at:)` or a task of `scheduleTask`. `@unchecked Sendable`: made on any
/// thread, then only touched on the loop.
public final class EpollTimer: @unchecked Sendable {
    let deadline: UInt64
    private let body: () -> Void
    let fail: (Error) -> Void
    var isCancelled = false
    private(set) var hasRun = false
    /// Set for a timer of `schedule(at:)`, which cancels itself; let go once the timer has run or
    /// been cancelled. Held, not weak (a weak reference would give the loop a side table, and
    /// every retain of it the slow path): the loop holds a pending timer, so this is a cycle
    /// only until the timer leaves the loop's queue, which it does when it runs, when it is
    /// cancelled, or when the loop finishes.
    fileprivate var loop: EpollLoop?

    init(deadline: UInt64, body: @escaping () -> Void, failure: @escaping (Error) -> Void) {
        self.deadline = deadline
        self.body = body
        self.fail = failure
    }

    func run() {
        hasRun = true
        loop = nil
        body()
    }

    /// Stops a timer of `schedule(at:)` from firing (nothing happens once it has). On its loop.
    public func cancel() {
        guard let loop else { return }
        precondition(loop.inEventLoop, "EpollTimer.cancel off the loop")
        loop.cancel(self)
    }
}
