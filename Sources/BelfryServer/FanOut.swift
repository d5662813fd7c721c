import Atomics
import NIOCore

/// Delivers one pre-encoded message to many connections: one task per event loop writes it to
/// every subscriber on that loop, so a publish never awaits a subscriber; publishes arriving in
/// the same tick after the first share one flush per subscriber (see `FlushBatch`).
enum FanOut {
    /// - Parameters:
    ///   - groups: subscribers partitioned by event loop (one array per loop, possibly empty).
    ///   - except: a socket id that must not receive the message (the sender).
    ///   - counters: where to count deliveries and bytes (one atomic add per loop, not per socket).
    ///   - receipt: notes the other loops the message was queued on (see `settled`).
    static func deliver(
        _ payload: ByteBuffer, to groups: [ContiguousArray<Connection>], except: String? = nil,
        counters: AppCounters? = nil, receipt: Receipt? = nil
    ) {
        let message = OutboundMessage(payload: payload)
        for group in groups {
            guard let first = group.first else { continue }
            let loop = first.loop
            if loop.inEventLoop {
                write(message, to: group, except: except, counters: counters)
            } else {
                receipt?.add(loop)
                loop.execute { write(message, to: group, except: except, counters: counters) }
            }
        }
    }

    /// The event loops one request's fan-outs were queued on, other than its own. Made and read
    /// on the request's loop.
    final class Receipt {
        private(set) var loops: [EventLoop] = []

        func add(_ loop: EventLoop) {
            if !loops.contains(where: { $0 === loop }) { loops.append(loop) }
        }

        /// The loops noted so far; the receipt is empty after.
        func take() -> [EventLoop] {
            defer { loops.removeAll(keepingCapacity: true) }
            return loops
        }
    }

    /// Calls `body` (on one of `loops`, or at once when there are none) once each loop has run
    /// what was queued on it before: a task queued behind the fan-out's, on each loop, in order.
    /// An HTTP publish is answered then, so a publisher that outpaces the subscribers' loops is
    /// slowed to their pace instead of queuing work on them without bound (BENCHMARKS.md, issue
    /// 18's seventh step).
    static func settled(_ loops: [EventLoop], then body: @escaping @Sendable () -> Void) {
        guard !loops.isEmpty else { return body() }
        let left = ManagedAtomic(loops.count)
        for loop in loops {
            loop.execute {
                if left.wrappingDecrementThenLoad(ordering: .acquiringAndReleasing) == 0 { body() }
            }
        }
    }

    private static func write(
        _ message: OutboundMessage, to group: ContiguousArray<Connection>, except: String?, counters: AppCounters?
    ) {
        // The tick's first fan-out writes and flushes each socket at once; the ones that arrive
        // with it in the same tick (pipelined or concurrent publishes) are flushed together at
        // the end of the tick, so each subscriber gets them in one syscall.
        let batch = FlushBatch.of(group[0].loop)
        let deferred = batch.collecting
        var delivered = 0
        for connection in group {
            if let except, connection.socketID == except { continue }
            // A closed connection or one over its budget is not written to, and not counted.
            if deferred {
                if connection.enqueue(message) { delivered += 1 }
                batch.add(connection)
            } else if connection.send(message) {
                delivered += 1
            }
        }
        batch.scheduleFlush()
        if let counters, delivered > 0 {
            counters.messagesDelivered.wrappingIncrement(by: delivered, ordering: .relaxed)
            // Whole frames, header included: what each subscriber's socket was given.
            counters.frameBytesOut.wrappingIncrement(by: delivered * message.frame.readableBytes, ordering: .relaxed)
        }
    }

    /// Groups arbitrary connections by loop index.
    static func partition(_ connections: [Connection], loops: Int) -> [ContiguousArray<Connection>] {
        var groups = [ContiguousArray<Connection>](repeating: [], count: loops)
        for connection in connections { groups[connection.loopIndex].append(connection) }
        return groups
    }
}
