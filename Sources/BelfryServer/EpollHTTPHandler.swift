import BelfryEpoll
import NIOCore

/// The public port's HTTP/1.1 side on a socket accepted by an `EpollLoop` (`--engine epoll`): an
/// `HTTPConnection` reading the socket, on the loop that accepted it. The HTTP API is served
/// there, so a publish reaches the subscribers of its own loop without a hop to another thread
/// (BENCHMARKS.md, issue 18's ninth step); a WebSocket upgrade makes the `WebSocketSession` the
/// socket's delegate, and it serves the connection on this loop from then on.
final class EpollHTTPHandler: StreamSocketDelegate, HTTPConnectionHost {
    private let connection: HTTPConnection
    /// The client's address, as the accept gave it.
    let peer: SocketAddress?
    /// The socket whose delegate this is, until it closes or is handed over. Unowned: the socket
    /// holds this handler (its only owner), so the socket outlives it. Not weak: a weak reference
    /// gives the socket a side table, and every retain and release of it the runtime's slow path.
    private unowned var socket: StreamSocket?

    init(context: ServerContext, descriptors: DescriptorBudget?, peer: SocketAddress?) {
        self.connection = HTTPConnection(context: context, descriptors: descriptors)
        self.peer = peer
    }

    /// The socket is this handler's from now. On its loop.
    func start(_ socket: StreamSocket) {
        self.socket = socket
        connection.start(socket, host: self)
    }

    func received(_ bytes: UnsafeRawBufferPointer, on socket: StreamSocket) {
        connection.read(bytes)
        connection.readComplete()
    }

    func writabilityChanged(_ socket: StreamSocket) { connection.writabilityChanged() }

    func closed(_ socket: StreamSocket) {
        self.socket = nil
        connection.closed()
    }

    /// The session becomes the socket's delegate and opens (its first frame goes out with the
    /// 101, in one send), then reads the leftover bytes.
    func handOver(to session: WebSocketSession, leftover: ByteBuffer) -> Bool {
        guard let socket, !socket.isClosed else { return false }
        self.socket = nil
        socket.delegate = session
        session.opened(socket)
        socket.flushFrames()
        if leftover.readableBytes > 0, !socket.isClosed { session.read(leftover, from: socket) }
        return true
    }
}
