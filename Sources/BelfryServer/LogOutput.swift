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
    /// This thread's loop buffer, once found: one thread-specific read instead of asking NIO and
    /// BelfryEpoll which loop this is and looking it up in `buffers` under their lock.
    private let threadBuffer = ThreadSpecificVariable<LoopBuffer>()

    public init(descriptor: Int32, flushBytes: Int = 64 * 1024) {
        self.descriptor = descriptor
        self.flushBytes = flushBytes
        buffers = PerLoop { LoopBuffer(loop: $0) }
    }

    /// Writes the line that `render` appends (newline included) now (`urgent`, or not on an event
    /// loop) or at the end of this loop's tick. On a loop it is rendered straight into the loop's
    /// buffer: no array of its own, no copy.
    public func write(urgent: Bool, _ render: (inout [UInt8]) -> Void) {
        guard let buffer = loopBuffer() else {
            var line: [UInt8] = []
            render(&line)
            LogLine.write(line, to: descriptor)
            return
        }
        if buffer.append(render, flushAt: urgent ? 0 : flushBytes, descriptor: descriptor) {
            buffer.loop.execute { buffer.flush(to: self.descriptor) }
        }
    }

    /// Writes every loop's buffered lines.
    public func flushAll() {
        for buffer in buffers.all { buffer.flush(to: descriptor) }
    }

    /// The buffer of the loop this thread runs, nil off the loops.
    private func loopBuffer() -> LoopBuffer? {
        if let buffer = threadBuffer.currentValue { return buffer }
        guard let loop: EventLoop = EpollLoop.current ?? MultiThreadedEventLoopGroup.currentEventLoop else {
            return nil
        }
        let buffer = buffers.of(loop)
        threadBuffer.currentValue = buffer
        return buffer
    }

    /// One loop's pending lines. A lock rather than loop confinement, so that `flushAll` can run
    /// from another thread once the loops are gone; on the loop it is never contended. The lines
    /// are written under the lock (only the loop and, after it, `flushAll` take it), so the array
    /// that held them keeps its storage for the next tick's lines instead of growing anew.
    final class LoopBuffer: Sendable {
        private struct State {
            var bytes: [UInt8] = []
            var flushScheduled = false
        }

        /// Storage kept between writes, at most (a tick's lines, not a burst's).
        static let keptCapacity = 256 * 1024

        let loop: EventLoop
        private let state = Mutex(State())

        init(loop: EventLoop) { self.loop = loop }

        /// Adds the line `render` appends, and writes the buffer to `descriptor` at once if it
        /// reached `flushAt` bytes. True if the caller must schedule the end-of-tick flush (the
        /// first line held since the last).
        func append(_ render: (inout [UInt8]) -> Void, flushAt: Int, descriptor: Int32) -> Bool {
            state.withLock { state in
                render(&state.bytes)
                if state.bytes.count >= flushAt {
                    Self.write(&state.bytes, to: descriptor)
                    return false
                }
                if state.flushScheduled { return false }
                state.flushScheduled = true
                return true
            }
        }

        /// Writes the lines held, and no flush is scheduled any more.
        func flush(to descriptor: Int32) {
            state.withLock { state in
                state.flushScheduled = false
                Self.write(&state.bytes, to: descriptor)
            }
        }

        private static func write(_ bytes: inout [UInt8], to descriptor: Int32) {
            guard !bytes.isEmpty else { return }
            LogLine.write(bytes, to: descriptor)
            if bytes.capacity <= keptCapacity { bytes.removeAll(keepingCapacity: true) } else { bytes = [] }
        }
    }
}
