import CEpoll
import Glibc
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import BelfryEpoll

@Suite struct EpollLoopTests {
    @Test func tasksFromAnotherThreadRunOnTheLoopInOrder() async throws {
        let loop = try EpollLoop()
        defer { loop.shutdownGracefully { _ in } }
        #expect(!loop.inEventLoop)
        let seen = NIOLockedValueBox<[Int]>([])
        for index in 0..<1000 {
            loop.execute {
                precondition(loop.inEventLoop)
                seen.withLockedValue { $0.append(index) }
            }
        }
        let onLoop = try await loop.submit { loop.inEventLoop }.get()
        #expect(onLoop)
        #expect(seen.withLockedValue { $0 } == Array(0..<1000))
    }

    @Test func eachLoopIsCurrentOnItsOwnThreadOnly() async throws {
        let (first, second) = (try EpollLoop(), try EpollLoop())
        defer {
            first.shutdownGracefully { _ in }
            second.shutdownGracefully { _ in }
        }
        #expect(EpollLoop.current == nil)
        let seen = try await first.submit { EpollLoop.current === first }.get()
        let seenSecond = try await second.submit { EpollLoop.current === second }.get()
        #expect(seen && seenSecond)
    }

    @Test func timersFireInDeadlineOrderAndNotBefore() async throws {
        let loop = try EpollLoop()
        defer { loop.shutdownGracefully { _ in } }
        let start = NIODeadline.now()
        let late = loop.scheduleTask(in: .milliseconds(60)) { (NIODeadline.now(), "late") }
        let early = loop.scheduleTask(in: .milliseconds(20)) { (NIODeadline.now(), "early") }
        let (earlyAt, _) = try await early.futureResult.get()
        let (lateAt, _) = try await late.futureResult.get()
        #expect(earlyAt - start >= .milliseconds(20))
        #expect(lateAt - start >= .milliseconds(60))
        #expect(earlyAt < lateAt)
    }

    @Test func aCancelledTimerFailsItsPromiseAndNeverRuns() async throws {
        let loop = try EpollLoop()
        defer { loop.shutdownGracefully { _ in } }
        let ran = NIOLockedValueBox(false)
        let cancelled = loop.scheduleTask(in: .milliseconds(30)) { ran.withLockedValue { $0 = true } }
        cancelled.cancel()
        await #expect(throws: EventLoopError.cancelled) { try await cancelled.futureResult.get() }
        // A later timer has fired, so the cancelled one's deadline has passed too.
        try await loop.scheduleTask(in: .milliseconds(60)) {}.futureResult.get()
        #expect(!ran.withLockedValue { $0 })
    }

    @Test func theLoopsOwnTimersFireInOrderAndACancelledOneNever() async throws {
        let loop = try EpollLoop()
        defer { loop.shutdownGracefully { _ in } }
        let log = NIOLockedValueBox<[String]>([])
        let done = loop.makePromise(of: Void.self)
        let start = NIODeadline.now()
        try await loop.submit {
            loop.schedule(at: start + .milliseconds(30)) {
                log.withLockedValue { $0.append("30 ms") }
                done.succeed()
            }
            loop.schedule(at: start + .milliseconds(10)) { log.withLockedValue { $0.append("10 ms") } }
            let cancelled = loop.schedule(at: start + .milliseconds(20)) { log.withLockedValue { $0.append("20 ms") } }
            cancelled.cancel()
        }.get()
        try await done.futureResult.get()
        #expect(NIODeadline.now() - start >= .milliseconds(30))
        #expect(log.withLockedValue { $0 } == ["10 ms", "30 ms"])
    }

    @Test func futuresChainOnTheLoop() async throws {
        let loop = try EpollLoop()
        defer { loop.shutdownGracefully { _ in } }
        let value = try await loop.submit { 20 }
            .flatMap { value in loop.scheduleTask(in: .milliseconds(1)) { value + 1 }.futureResult }
            .map { $0 * 2 }
            .get()
        #expect(value == 42)
    }

    @Test func shutdownFailsWaitingTimersAndCallsBack() async throws {
        let loop = try EpollLoop()
        let waiting = loop.scheduleTask(in: .hours(1)) {}
        // Listen before the loop stops: a callback added to a stopped loop's future is never run.
        let failure = NIOLockedValueBox<Error?>(nil)
        waiting.futureResult.whenFailure { error in failure.withLockedValue { $0 = error } }
        try await loop.shutdownGracefully()
        // The timers fail before the shutdown callback is called.
        #expect(failure.withLockedValue { $0 } as? EventLoopError == .shutdown)
    }

    /// The end-of-turn flush relies on it: a task queued while handling a turn's events runs after
    /// every event of that turn.
    @Test func aTaskQueuedDuringATurnsEventsRunsAfterAllOfThem() async throws {
        let loop = try EpollLoop()
        defer { loop.shutdownGracefully { _ in } }
        let log = NIOLockedValueBox<[String]>([])
        let done = loop.makePromise(of: Void.self)
        let pipes = (0..<2).map { _ in Pipe() }
        try await loop.submit {
            for (index, pipe) in pipes.enumerated() {
                let handler = Recorder(name: "event \(index)", log: log) {
                    loop.execute {
                        log.withLockedValue { $0.append("task of event \(index)") }
                        if index == 1 { done.succeed() }
                    }
                }
                try loop.register(pipe.read, interest: .readable, handler: handler)
            }
            // Both become readable while the loop is busy here, so one wait reports both.
            for pipe in pipes { pipe.signal() }
        }.get()
        try await done.futureResult.get()
        #expect(log.withLockedValue { $0 } == ["event 0", "event 1", "task of event 0", "task of event 1"])
        try await loop.submit { for pipe in pipes { loop.deregister(pipe.read) } }.get()
        for pipe in pipes { pipe.close() }
    }
}

/// Records its name the first time its descriptor is ready, then runs `then`.
private final class Recorder: EpollHandler {
    let name: String
    let log: NIOLockedValueBox<[String]>
    let then: () -> Void
    var fired = false

    init(name: String, log: NIOLockedValueBox<[String]>, then: @escaping () -> Void) {
        self.name = name
        self.log = log
        self.then = then
    }

    func ready(_ events: EpollEvents) {
        guard !fired else { return }
        fired = true
        log.withLockedValue { $0.append(name) }
        then()
    }
}

/// A pipe(2) with non-blocking ends (pipe2 needs _GNU_SOURCE).
struct Pipe: @unchecked Sendable {
    let read: Int32
    let write: Int32

    init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        (read, write) = (fds[0], fds[1])
    }

    func close() {
        Glibc.close(read)
        Glibc.close(write)
    }

    func signal() {
        var byte: UInt8 = 1
        _ = Glibc.write(write, &byte, 1)
    }
}
