import BelfryEpoll
import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The public port served by BelfryEpoll (`--engine epoll`): one listening socket, watched by an
/// `Acceptor` on each of `loops` (the kernel wakes whichever loop is free). Each accepted socket
/// is counted in the descriptor budget as on NIO, then served on the loop that accepted it by an
/// `EpollHTTPHandler` (the HTTP API, health checks, and the WebSocket upgrade, after which the
/// session serves it there). Past the descriptor budget's hard limit, NIO's `CapacityResponder`
/// answers on `http`, the group the rest of the server runs on.
///
/// `@unchecked Sendable`: `acceptors[i]` is only touched on `loops[i]`; the rest is immutable.
final class EpollFront: @unchecked Sendable {
    let loops: [EpollLoop]
    private let http: EventLoopGroup
    private let context: ServerContext
    private var acceptors: [Acceptor?]
    private var listener: Listener?

    /// Starts `count` loops (threads named `belfry-epoll-N`).
    static func makeLoops(count: Int) throws -> [EpollLoop] {
        try (0..<count).map { try EpollLoop(name: "belfry-epoll-\($0)") }
    }

    init(loops: [EpollLoop], http: EventLoopGroup, context: ServerContext) {
        self.loops = loops
        self.http = http
        self.context = context
        self.acceptors = Array(repeating: nil, count: loops.count)
    }

    /// Binds the public port and starts accepting on every loop. Returns the port bound.
    func start(host: String, port: Int) async throws -> Int {
        let listener: Listener
        do {
            guard ServerOptions.Engine.epollCanListen(on: host) else {
                throw ListenError(
                    port: "public port", host: host, number: port,
                    reason: "--engine epoll listens on an IPv4 address only (such as 0.0.0.0 or 127.0.0.1)")
            }
            listener = try Listener.bind(host: host, port: port)
        } catch let error as ListenError {
            throw error
        } catch {
            throw ListenError.binding("public port", host: host, number: port, error)
        }
        self.listener = listener
        for (index, loop) in loops.enumerated() {
            try await loop.submit {
                let acceptor = Acceptor(
                    listener, loop: loop, accepted: { [self] fd, peer in accepted(fd, peer: peer, on: loop) },
                    failed: { [context = self.context] error in context.acceptFailed(error) })
                try acceptor.start()
                self.acceptors[index] = acceptor
            }.get()
        }
        return listener.port
    }

    /// Stops accepting and closes the listening socket; open sockets stay until their loops stop.
    func stop() async {
        for (index, loop) in loops.enumerated() {
            try? await loop.submit {
                self.acceptors[index]?.stop()
                self.acceptors[index] = nil
            }.get()
        }
        listener?.close()
        listener = nil
    }

    func shutdown() async {
        for loop in loops { try? await loop.shutdownGracefully() }
    }

    private func accepted(_ fd: Int32, peer: SocketAddress, on loop: EpollLoop) {
        let descriptors = context.descriptors
        switch descriptors.admit(now: Now.nanoseconds) {
        case .refuse:
            Glibc.close(fd)
        case .triage:
            triageWithNIO(fd, descriptors: descriptors)
        case .open, .httpOnly:
            let handler = EpollHTTPHandler(context: context, descriptors: descriptors, peer: peer)
            do {
                handler.start(try StreamSocket(fd: fd, loop: loop, delegate: handler))
            } catch {
                // StreamSocket closed the descriptor.
                descriptors.release()
                context.logger.warning("cannot serve an accepted socket", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Past the hard limit: NIO's `CapacityResponder` answers without parsing, as on a socket NIO
    /// accepted. The descriptor goes back to the budget when the channel closes.
    private func triageWithNIO(_ fd: Int32, descriptors: DescriptorBudget) {
        let context = self.context
        // Set once the channel's close-future callback, which gives the descriptor back, is
        // registered.
        let channelOwnsLease = NIOLockedValueBox(false)
        ClientBootstrap(group: http.next())
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    channel.closeFuture.whenComplete { _ in descriptors.release() }
                    channelOwnsLease.withLockedValue { $0 = true }
                    try channel.pipeline.syncOperations.addHandler(CapacityResponder())
                }
            }
            .withConnectedSocket(fd)
            .whenFailure { error in
                // NIO has closed the socket.
                if !channelOwnsLease.withLockedValue({ $0 }) { descriptors.release() }
                context.logger.warning("cannot hand a socket to NIO", metadata: ["error": "\(error)"])
            }
    }
}
