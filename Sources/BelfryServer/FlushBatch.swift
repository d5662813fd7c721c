import NIOConcurrencyHelpers
import NIOCore

/// Flushes deferred to the end of the event loop's current tick, once a tick has seen a fan-out:
/// the first publish of a tick is flushed at once (lowest latency, and the publisher's response
/// still follows its delivery), the ones arriving with it (pipelined or concurrent publishes)
/// share one more syscall per subscriber.
///
/// `@unchecked Sendable`: `pending` and `scheduled` are only touched on `loop`; the registry is
/// guarded by its lock.
final class FlushBatch: @unchecked Sendable {
    private let loop: EventLoop
    private var pending: [Connection] = []
    private var scheduled = false

    /// True after this tick's first fan-out: later ones in the same tick defer their flushes.
    private(set) var collecting = false

    private init(loop: EventLoop) {
        self.loop = loop
    }

    private static let registry = NIOLockedValueBox<[ObjectIdentifier: FlushBatch]>([:])

    /// The batch of `loop`, created on first use. It keeps the loop alive, so its identifier is
    /// never reused by another loop (a server's loops live as long as the process anyway).
    static func of(_ loop: EventLoop) -> FlushBatch {
        registry.withLockedValue { batches in
            if let batch = batches[ObjectIdentifier(loop)] { return batch }
            let batch = FlushBatch(loop: loop)
            batches[ObjectIdentifier(loop)] = batch
            return batch
        }
    }

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
