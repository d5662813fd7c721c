import BelfryEpoll
import NIOCore
import PusherProtocol

/// A public-port socket accepted on an `EpollLoop` (`--engine epoll`), until its first request
/// has been read. A WebSocket opening handshake is answered here and the socket handed to a
/// `WebSocketSession`, which serves it on this loop from then on. Anything else (the HTTP API,
/// health checks, a malformed request) goes to NIO with the bytes read so far: `HTTPHandler`
/// answers it exactly as on a socket NIO accepted, so the two engines share every HTTP answer.
///
/// Holds the socket's leases (descriptor, then address count) until it hands them on. A client
/// that does not finish its request within `httpIdleTimeout` is closed, as on NIO.
final class EpollHandshake: LoopTimer, StreamSocketDelegate {
    private let context: ServerContext
    private let handOff: (_ fd: Int32, _ bytes: ByteBuffer) -> Void
    private var leases: ConnectionLeases
    /// Everything read so far, kept whole for a hand-off.
    private var inbound: ByteBuffer?
    private var socket: StreamSocket?
    /// The client's address, as the accept gave it.
    private var peer: SocketAddress?

    /// - Parameter handOff: serves the detached descriptor with NIO, replaying `bytes` first;
    ///   the descriptor's place in `descriptors` goes with it. Called on this loop.
    init(
        context: ServerContext, descriptors: DescriptorBudget?,
        handOff: @escaping (_ fd: Int32, _ bytes: ByteBuffer) -> Void
    ) {
        self.context = context
        self.handOff = handOff
        self.leases = ConnectionLeases(descriptors: descriptors)
    }

    /// The socket is this handshake's from now. On its loop.
    func start(_ socket: StreamSocket, peer: SocketAddress?) {
        self.socket = socket
        self.peer = peer
        LoopTimers.of(socket.loop).schedule(self, at: .now() + idleTimeout)
    }

    private var idleTimeout: TimeAmount { .milliseconds(Int64(context.options.httpIdleTimeout * 1000)) }

    override func deadlinePassed(now: NIODeadline) {
        context.logger.debug("http connection idle, closing")
        socket?.close()
    }

    func received(_ bytes: UnsafeRawBufferPointer, on socket: StreamSocket) {
        if inbound == nil {
            inbound = ByteBuffer(bytes: bytes)
        } else {
            inbound!.writeBytes(bytes)
        }
        guard let inbound else { return }
        // Only a GET can be an opening handshake: anything else goes to NIO at once, without
        // waiting for its body here.
        let get = "GET ".utf8
        if !inbound.readableBytesView.starts(with: get.prefix(inbound.readableBytes)) {
            return handToNIO(socket)
        }
        var parser = HTTP1Parser(maxBodyBytes: context.options.maxRequestBody)
        var rest = inbound
        switch parser.next(&rest) {
        case .needMore:
            return
        case .request(let request) where request.isWebSocketUpgrade:
            upgrade(request, leftover: rest, socket)
        case .request, .expectsContinue, .failure:
            handToNIO(socket)
        }
    }

    func writabilityChanged(_ socket: StreamSocket) {}

    func closed(_ socket: StreamSocket) {
        LoopTimers.of(socket.loop).cancel(self)
        leases.release(context)
        self.socket = nil
    }

    private func handToNIO(_ socket: StreamSocket) {
        LoopTimers.of(socket.loop).cancel(self)
        self.socket = nil
        let bytes = inbound ?? ByteBuffer()
        inbound = nil
        // Nothing has been written to the socket yet, so it detaches.
        guard let fd = socket.detach() else { return socket.close() }
        leases = ConnectionLeases()
        handOff(fd, bytes)
    }

    /// The checks and the 101 of `HTTPHandler.upgrade`, then the session takes the socket.
    private func upgrade(_ request: HTTP1Request, leftover: ByteBuffer, _ socket: StreamSocket) {
        LoopTimers.of(socket.loop).cancel(self)
        inbound = nil
        let key: String
        switch WebSocketUpgrade.check(request, descriptors: context.descriptors) {
        case .refuse(let response): return refuse(response, socket)
        case .proceed(let valid): key = valid
        }
        let handshake = Handshake.read(uri: request.target)
        let address = peer ?? socket.peerAddress()
        let ip = address?.ipAddress
        switch context.admitAddress(handshake, address: ip) {
        case .refused(let response): return refuse(response, socket)
        case .admitted(let addressKey): leases.addressKey = addressKey
        }
        // The 101 and the session's first frame (connection_established, or the refusal) go to
        // the kernel in one send.
        socket.cork()
        socket.write(WebSocketUpgrade.switchingProtocols(key: key, allocator: Self.allocator))
        let session = WebSocketSession(
            context: context,
            handshake: WebSocketSession.Handshake(
                request: handshake, origin: request.header("origin"),
                remote: LogFields.remote(ip: ip, port: address?.port)),
            leases: leases)
        leases = ConnectionLeases()  // the session's now
        self.socket = nil
        socket.delegate = session
        session.opened(socket)
        socket.uncork()
        if leftover.readableBytes > 0, !socket.isClosed { session.read(leftover, from: socket) }
    }

    /// An error answer to the handshake, then the socket closes (the leases go back then).
    private func refuse(_ response: HTTPResponse, _ socket: StreamSocket) {
        var buffer = Self.allocator.buffer(capacity: 128 + response.body.utf8.count)
        response.encode(close: true, into: &buffer)
        socket.write(buffer)
        socket.closeAfterWrites()
    }

    private static let allocator = ByteBufferAllocator()
}
