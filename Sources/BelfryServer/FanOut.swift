import NIOCore

/// Delivers one pre-encoded message to many connections: one task per event loop writes it to
/// every subscriber on that loop, so a publish never awaits a subscriber; publishes arriving in
/// the same tick after the first share one flush per subscriber (see `FlushBatch`).
enum FanOut {
    /// - Parameters:
    ///   - groups: subscribers partitioned by event loop (one array per loop, possibly empty).
    ///   - except: a socket id that must not receive the message (the sender).
    ///   - counters: where to count deliveries and bytes (one atomic add per loop, not per socket).
    static func deliver(
        _ payload: ByteBuffer, to groups: [ContiguousArray<Connection>], except: String? = nil,
        counters: AppCounters? = nil
    ) {
        let message = OutboundMessage(payload: payload)
        for group in groups {
            guard let first = group.first else { continue }
            let loop = first.loop
            if loop.inEventLoop {
                write(message, to: group, except: except, counters: counters)
            } else {
                loop.execute { write(message, to: group, except: except, counters: counters) }
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
