import NIOCore

/// Delivers one pre-encoded message to many connections: one task per event loop writes it to
/// every subscriber on that loop, then flushes them, so a publish never awaits a subscriber.
enum FanOut {
    /// - Parameters:
    ///   - groups: subscribers partitioned by event loop (one array per loop, possibly empty).
    ///   - except: a socket id that must not receive the message (the sender).
    static func deliver(_ payload: ByteBuffer, to groups: [ContiguousArray<Connection>], except: String? = nil) {
        for group in groups {
            guard let first = group.first else { continue }
            let loop = first.loop
            if loop.inEventLoop {
                write(payload, to: group, except: except)
            } else {
                loop.execute { write(payload, to: group, except: except) }
            }
        }
    }

    private static func write(_ payload: ByteBuffer, to group: ContiguousArray<Connection>, except: String?) {
        if let except {
            for connection in group where connection.socketID != except { connection.enqueue(payload) }
        } else {
            for connection in group { connection.enqueue(payload) }
        }
        for connection in group { connection.flush() }
    }

    /// Groups arbitrary connections by loop index.
    static func partition(_ connections: [Connection], loops: Int) -> [ContiguousArray<Connection>] {
        var groups = [ContiguousArray<Connection>](repeating: [], count: loops)
        for connection in connections { groups[connection.loopIndex].append(connection) }
        return groups
    }
}
