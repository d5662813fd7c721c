import NIOCore

/// Flushes deferred to the end of the event loop's current tick, once a tick has seen a fan-out:
/// the first publish of a tick is flushed at once (lowest latency, and the publisher's response
/// still follows its delivery), the ones arriving with it (pipelined or concurrent publishes)
/// share one more syscall per subscriber.
///
/// `@unchecked Sendable`: `pending` and `scheduled` are only touched on `loop`.
final class FlushBatch: @unchecked Sendable {
    private let loop: EventLoop
    private var pending: [Connection] = []
    private var scheduled = false

    /// True after this tick's first fan-out: later ones in the same tick defer their flushes.
    private(set) var collecting = false

    private init(loop: EventLoop) {
        self.loop = loop
    }

    private static let registry = PerLoop { FlushBatch(loop: $0) }

    /// The batch of `loop`, created on first use.
    static func of(_ loop: EventLoop) -> FlushBatch { registry.of(loop) }

    /// Remembers `connection` for the flush at the end of this tick. On `loop`.
    func add(_ connection: Connection) {
        guard !connection.flushPending else { return }
        connection.flushPending = true
        pending.append(connection)
    }

    /// Marks this tick as having had a fan-out and schedules the end-of-tick flush (tasks run
    /// after the tick's I/O events). On `loop`. The HTTP handler calls it before the first of
    /// several pipelined requests read together, so that even the first publish's subscribers
    /// are flushed once, with the others.
    func scheduleFlush() {
        collecting = true
        guard !scheduled else { return }
        scheduled = true
        loop.execute { self.flush() }
    }

    private func flush() {
        scheduled = false
        collecting = false
        let connections = pending
        pending.removeAll(keepingCapacity: true)
        for connection in connections {
            connection.flushPending = false
            connection.flush()
        }
    }
}
