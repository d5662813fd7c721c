import BelfryEpoll
import NIOCore
import NIOPosix
import Synchronization

/// Where log lines go (a file descriptor, stderr for the server), written so that a connection's
/// log lines do not cost a system call each.
///
/// - A line logged on one of the server's event loops (NIO's or BelfryEpoll's) at `info` or below
///   joins that loop's buffer, which is written with one `write(2)` at the end of the loop's tick
///   (a task after the tick's I/O events), or at once when it reaches `flushBytes`. A reconnect storm's
///   `connected` lines go out a tick's worth at a time instead of one call per connection.
/// - A `warning` or worse, and a line from any other thread, is written at once, after the
///   loop's buffered lines (so a loop's lines keep their order).
/// - `flushAll` writes what is left; the server calls it once its loops have stopped.
///
/// Lines are never lost for want of room and never wait longer than the tick they were logged in.
public final class LogOutput: Sendable {
    /// stderr, the server's log.
    public static let standardError = LogOutput(descriptor: 2)

    public let descriptor: Int32
    public let flushBytes: Int
    private let buffers: PerLoop<LoopBuffer>

    public init(descriptor: Int32, flushBytes: Int = 64 * 1024) {
        self.descriptor = descriptor
        self.flushBytes = flushBytes
        buffers = PerLoop { _ in LoopBuffer() }
    }

    /// Writes `line` now (`urgent`, or not on an event loop) or at the end of this loop's tick.
    public func write(_ line: [UInt8], urgent: Bool) {
        guard let loop: EventLoop = MultiThreadedEventLoopGroup.currentEventLoop ?? EpollLoop.current else {
            LogLine.write(line, to: descriptor)
            return
        }
        let buffer = buffers.of(loop)
        switch buffer.append(line, flushAt: urgent ? 0 : flushBytes) {
        case .writeNow(let bytes): LogLine.write(bytes, to: descriptor)
        case .scheduleFlush: loop.execute { self.flush(buffer) }
        case .none: break
        }
    }

    /// Writes every loop's buffered lines.
    public func flushAll() {
        for buffer in buffers.all { flush(buffer) }
    }

    private func flush(_ buffer: LoopBuffer) {
        let bytes = buffer.take()
        if !bytes.isEmpty { LogLine.write(bytes, to: descriptor) }
    }

    /// One loop's pending lines. A lock rather than loop confinement, so that `flushAll` can run
    /// from another thread once the loops are gone; on the loop it is never contended.
    final class LoopBuffer: Sendable {
        enum Action: Equatable { case none, scheduleFlush, writeNow([UInt8]) }

        private struct State {
            var bytes: [UInt8] = []
            var flushScheduled = false
        }

        private let state = Mutex(State())

        /// Adds `line`; the bytes to write now if the buffer reached `flushAt` bytes, otherwise
        /// whether the caller must schedule the end-of-tick flush (the first line since the last).
        func append(_ line: [UInt8], flushAt: Int) -> Action {
            state.withLock { state in
                state.bytes += line
                if state.bytes.count >= flushAt {
                    defer { state.bytes = [] }
                    return .writeNow(state.bytes)
                }
                if state.flushScheduled { return .none }
                state.flushScheduled = true
                return .scheduleFlush
            }
        }

        /// The pending bytes, leaving the buffer empty and no flush scheduled.
        func take() -> [UInt8] {
            state.withLock { state in
                state.flushScheduled = false
                defer { state.bytes = [] }
                return state.bytes
            }
        }
    }
}
