import BelfryEpoll
import NIOCore

/// A session served by BelfryEpoll: the socket is the connection's transport and the session its
/// delegate (set by `EpollHTTPHandler` after the 101, which then calls `opened`), so a connection
/// is still one session object, a `Connection` and the socket.
extension WebSocketSession: StreamSocketDelegate {
    func received(_ bytes: UnsafeRawBufferPointer, on socket: StreamSocket) {
        read(bytes, from: socket as ConnectionTransport)
    }

    func writabilityChanged(_ socket: StreamSocket) {
        let transport: ConnectionTransport = socket
        writabilityChanged(transport)
    }

    /// The socket is closed and done with in one step (there is no pipeline to take apart).
    func closed(_ socket: StreamSocket) {
        let transport: ConnectionTransport = socket
        closed(transport)
        released(transport)
    }
}
