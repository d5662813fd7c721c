import BelfryEpoll
import Glibc
import NIOCore
import NIOPosix
import Testing

@testable import BelfryServer

/// `LogOutput` on a real pipe and a real event loop: a loop's info lines are written at the end
/// of its tick, in order; urgent lines, lines from other threads and a full buffer are written
/// at once; `flushAll` writes what a loop left.
@Suite struct LogOutputTests {
    /// A non-blocking pipe: the output writes to `write`, the test reads `read`.
    final class Pipe: Sendable {
        let read: Int32
        let write: Int32
        init() {
            var fds: [Int32] = [0, 0]
            precondition(pipe(&fds) == 0)
            (read, write) = (fds[0], fds[1])
            _ = fcntl(read, F_SETFL, fcntl(read, F_GETFL) | O_NONBLOCK)
        }
        deinit {
            close(read)
            close(write)
        }
        /// What has been written so far (nothing waits).
        func drain() -> String {
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let got = chunk.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress!, $0.count) }
                if got <= 0 { break }
                out += chunk[0..<got]
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    private static func line(_ text: String) -> [UInt8] { Array((text + "\n").utf8) }

    @Test func aLoopsLinesWaitForTheEndOfItsTick() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pipe = Pipe()
        let output = LogOutput(descriptor: pipe.write)
        let loop = group.next()
        let duringTheTick = try loop.submit {
            output.write(Self.line("a"), urgent: false)
            output.write(Self.line("b"), urgent: false)
            return pipe.drain()
        }.wait()
        #expect(duringTheTick == "")
        // A task submitted after the tick runs after the flush the tick scheduled.
        try loop.submit {}.wait()
        #expect(pipe.drain() == "a\nb\n")
    }

    @Test func anEpollLoopsLinesWaitForTheEndOfItsTickToo() throws {
        let loop = try EpollLoop(name: "test-log")
        defer { loop.shutdownGracefully { _ in } }
        let pipe = Pipe()
        let output = LogOutput(descriptor: pipe.write)
        let duringTheTick = try loop.submit {
            output.write(Self.line("a"), urgent: false)
            output.write(Self.line("b"), urgent: false)
            return pipe.drain()
        }.wait()
        #expect(duringTheTick == "")
        try loop.submit {}.wait()
        #expect(pipe.drain() == "a\nb\n")
    }

    @Test func anUrgentLineIsWrittenAtOnceAfterTheLinesBeforeIt() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pipe = Pipe()
        let output = LogOutput(descriptor: pipe.write)
        let written = try group.next().submit {
            output.write(Self.line("info"), urgent: false)
            output.write(Self.line("warning"), urgent: true)
            return pipe.drain()
        }.wait()
        #expect(written == "info\nwarning\n")
    }

    @Test func aFullBufferIsWrittenAtOnce() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pipe = Pipe()
        let output = LogOutput(descriptor: pipe.write, flushBytes: 6)
        let written = try group.next().submit {
            output.write(Self.line("one"), urgent: false)  // 4 bytes: held
            let held = pipe.drain()
            output.write(Self.line("two"), urgent: false)  // 8 bytes: written
            return (held, pipe.drain())
        }.wait()
        #expect(written.0 == "")
        #expect(written.1 == "one\ntwo\n")
    }

    @Test func aLineFromAnotherThreadIsWrittenAtOnce() {
        let pipe = Pipe()
        let output = LogOutput(descriptor: pipe.write)
        output.write(Self.line("off the loops"), urgent: false)
        #expect(pipe.drain() == "off the loops\n")
    }

    @Test func flushAllWritesWhatALoopHolds() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pipe = Pipe()
        let output = LogOutput(descriptor: pipe.write)
        let written = try group.next().submit {
            output.write(Self.line("last"), urgent: false)
            output.flushAll()
            return pipe.drain()
        }.wait()
        #expect(written == "last\n")
        try group.next().submit {}.wait()
        #expect(pipe.drain() == "")  // the scheduled flush finds nothing left to write twice
    }

    @Test func linesRenderedIntoTheBufferKeepTheirOrderTickAfterTick() throws {
        let loop = try EpollLoop(name: "test-log")
        defer { loop.shutdownGracefully { _ in } }
        let pipe = Pipe()
        let output = LogOutput(descriptor: pipe.write)
        for tick in 1...3 {
            let duringTheTick = try loop.submit {
                output.write(urgent: false) { $0 += "\(tick)a\n".utf8 }
                output.write(Self.line("\(tick)b"), urgent: false)
                return pipe.drain()
            }.wait()
            #expect(duringTheTick == "")
            try loop.submit {}.wait()
            // The buffer written last tick takes this tick's lines: nothing of the last comes again.
            #expect(pipe.drain() == "\(tick)a\n\(tick)b\n")
        }
    }

    @Test func twoOutputsOnOneLoopKeepTheirOwnLines() throws {
        let loop = try EpollLoop(name: "test-log")
        defer { loop.shutdownGracefully { _ in } }
        let (first, second) = (Pipe(), Pipe())
        let (one, two) = (LogOutput(descriptor: first.write), LogOutput(descriptor: second.write))
        try loop.submit {
            one.write(Self.line("one"), urgent: false)
            two.write(Self.line("two"), urgent: false)
            one.write(Self.line("one again"), urgent: false)
        }.wait()
        try loop.submit {}.wait()
        #expect(first.drain() == "one\none again\n")
        #expect(second.drain() == "two\n")
    }
}

extension LogOutput {
    /// Writes a line already made (the server renders into the loop's buffer instead).
    func write(_ line: [UInt8], urgent: Bool) { write(urgent: urgent) { $0 += line } }
}
