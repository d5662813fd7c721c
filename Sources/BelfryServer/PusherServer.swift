import BelfryManifest
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PusherProtocol
import ServiceLifecycle

/// The public server: Pusher WebSocket protocol and HTTP API on one port, run as a `Service`.
/// On graceful shutdown it turns `/readyz` to 503, refuses new connections with 4200, closes
/// open ones with `pusher:error` + 4200, and waits up to the grace period before exiting.
public final class PusherServer: Service, Sendable {
    let group: MultiThreadedEventLoopGroup
    let context: ServerContext
    /// The public port's WebSocket side with `--engine epoll`; nil with NIO.
    private let epoll: EpollFront?
    private let boundPort = NIOLockedValueBoxPort()

    /// Starts the event loops (NIO's, and BelfryEpoll's with `--engine epoll`); throws when the
    /// system refuses a loop its thread or descriptors.
    public init(options: ServerOptions, store: ConfigStore, logger: Logger) throws {
        let threads = options.threads > 0 ? options.threads : System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let epollLoops = options.engine == .epoll ? try EpollFront.makeLoops(count: threads) : []
        // Every loop a connection can live on has an index: hubs keep their subscribers per loop.
        var indices: [ObjectIdentifier: Int] = [:]
        let loops: [EventLoop] = Array(group.makeIterator()) + epollLoops
        for (index, loop) in loops.enumerated() { indices[ObjectIdentifier(loop)] = index }
        self.group = group
        let context = ServerContext(
            store: store, options: options, logger: logger, loopIndices: indices,
            descriptors: DescriptorBudget.forThisProcess(reserve: options.descriptorReserve))
        self.context = context
        self.epoll = epollLoops.isEmpty ? nil : EpollFront(loops: epollLoops, http: group, context: context)
    }

    /// The public port's descriptor figures, for `/metrics`.
    public var descriptorStatus: DescriptorBudget.Status { context.descriptors.status(now: Now.nanoseconds) }

    /// `/readyz` of both ports: whether the node should get traffic, and the JSON body naming
    /// each check (with each check's figures when `verbose`).
    public func readiness(verbose: Bool = false) -> (ready: Bool, body: String) {
        context.readiness(verbose: verbose)
    }

    /// The port actually bound (useful with port 0), once `run` has bound it.
    public var port: Int? { boundPort.value }

    public func run() async throws {
        var channel: Channel?
        let port: Int
        do {
            if let epoll {
                port = try await epoll.start(host: context.options.host, port: context.options.port)
            } else {
                let bound = try await bind()
                channel = bound
                port = bound.localAddress?.port ?? 0
            }
        } catch {
            await epoll?.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        boundPort.set(port)
        context.webhooks?.start(on: group.next())
        context.enter(.running)
        let apps = context.store.current.apps
        context.logger.info(
            "listening",
            metadata: [
                "address": "\(context.options.host):\(port)", "engine": "\(context.options.engine.rawValue)",
                "apps": LogFields.number(apps.count), "enabled": LogFields.number(apps.filter(\.enabled).count),
            ])
        await ShutdownSignal.wait()
        await drain()
        // The drain's vacated and removed events are held 3 s: hand them over now, before the
        // sink (a later service) stops.
        context.webhooks?.stop()
        try? await channel?.close()
        await epoll?.stop()
        await epoll?.shutdown()
        try await group.shutdownGracefully()
        LogOutput.standardError.flushAll()  // lines of the loops' last tick
        context.logger.info("stopped")
    }

    private func bind() async throws -> Channel {
        let context = self.context
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Self.acceptBackoff(context))
                }
            }
            // Up to 16 accepts per wakeup in a reconnect storm (NIO's default is 4).
            .serverChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel, context: context)
                }
            }
        do {
            return try await bootstrap.bind(host: context.options.host, port: context.options.port).get()
        } catch {
            throw ListenError.binding("public port", host: context.options.host, number: context.options.port, error)
        }
    }

    /// An `accept` that fails (EMFILE, ENFILE: descriptors exhausted) is retried after 100 ms
    /// instead of at once, which would spin a core; the condition is counted and logged
    /// (`ServerContext.acceptFailed`).
    private static func acceptBackoff(_ context: ServerContext) -> AcceptBackoffHandler {
        AcceptBackoffHandler(shouldForwardIOErrorCaught: false) { error in
            context.acceptFailed(error)
            return .milliseconds(100)
        }
    }

    /// `HTTPHandler` reads HTTP/1.1 and upgrades WebSocket handshakes itself (see there). A socket
    /// past the descriptor budget is closed at once (see `DescriptorBudget`).
    ///
    /// The options are set here, synchronously, rather than as the bootstrap's child options
    /// (applied through a chain of futures per connection). TCP_NODELAY is set on the listening
    /// socket (NIO's default) and accepted sockets inherit it.
    private static func configure(_ channel: Channel, context: ServerContext) throws {
        if let options = channel.syncOptions {
            try options.setOption(.maxMessagesPerRead, value: 16)
            // Each channel keeps its last receive buffer for the next read (NIO pools it), so an
            // idle connection holds one buffer of the allocator's current size: start small
            // (NIO's default is 2048) and let busy connections grow it. Measured: 7.3 → 5.5 KB of
            // RSS per idle subscribed connection, connect and publish costs unchanged (BENCHMARKS.md).
            try options.setOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536))
        }
        let descriptors = context.descriptors
        switch descriptors.admit(now: Now.nanoseconds) {
        case .refuse:
            channel.close(promise: nil)
            return
        case .triage:
            channel.closeFuture.whenComplete { _ in descriptors.release() }
            try channel.pipeline.syncOperations.addHandler(CapacityResponder())
        case .open, .httpOnly:
            try channel.pipeline.syncOperations.addHandler(HTTPHandler(context: context, descriptors: descriptors))
        }
    }

    /// Closes every connection with 4200 and waits for them to go, up to the grace period.
    private func drain() async {
        context.enter(.draining)
        let open = context.hubs.totalConnections
        context.logger.info(
            "draining",
            metadata: [
                "connections": LogFields.number(open),
                "grace_s": .stringConvertible(context.options.shutdownGracePeriod),
            ])
        for hub in context.hubs.all {
            for connection in hub.allConnections {
                connection.onLoop { $0.close(CloseReason(.reconnectImmediately, "Server is shutting down; reconnect")) }
            }
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(context.options.shutdownGracePeriod * 1000))
        while context.hubs.totalConnections > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// The bound port, written once by `run`.
private final class NIOLockedValueBoxPort: Sendable {
    private let box = NIOLockedValueBox<Int?>(nil)
    var value: Int? { box.withLockedValue { $0 } }
    func set(_ port: Int?) { box.withLockedValue { $0 = port } }
}
