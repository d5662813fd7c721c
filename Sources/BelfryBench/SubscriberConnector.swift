import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// What became of one subscriber connection.
struct ConnectOutcome: Sendable {
    var index: Int
    var channel: Channel?
    var readyMicros: UInt64?
    var failure: ConnectFailure?
}

/// A server the subscribers connect to, with its TLS client for an `https://` URL.
struct SubscriberTarget: Sendable {
    let address: ServerAddress
    let tls: TLSClient?
}

/// Opens one subscriber: TCP connect, WebSocket upgrade, then (Pusher) connection_established →
/// subscribe → subscription_succeeded; the future completes when it is ready or has failed.
struct SubscriberConnector: Sendable {
    let group: EventLoopGroup
    let options: BenchOptions
    /// The subscriber targets (`BenchOptions.subscriberTargets`), one or more servers.
    let targets: [SubscriberTarget]
    /// Each event loop's stats, looked up by the loop a channel lands on.
    let stats: [ObjectIdentifier: LoopStats]

    /// The upgrade request path for connection `index`.
    func path(index: Int) -> String {
        let channel = options.layout.name(options.layout.group(ofConnection: index))
        switch options.protocolKind {
        case .pusher: return "/app/\(options.key)?protocol=7&client=belfry-bench&version=1"
        case .nchan: return "/sub/\(channel)"
        }
    }

    /// Connects subscriber `index`; never fails, the failure is in the outcome.
    func connect(index: Int, timeout: TimeAmount) -> EventLoopFuture<ConnectOutcome> {
        let loop = group.next()
        let signal = ReadySignal(promise: loop.makePromise(of: UInt64.self))
        guard let loopStats = stats[ObjectIdentifier(loop)] else { preconditionFailure("no stats for event loop") }
        let machine = SubscriberStateMachine(
            protocolKind: options.protocolKind, channel: options.layout.name(options.layout.group(ofConnection: index)))
        let targetIndex = options.layout.target(ofConnection: index, targets: targets.count)
        let target = targets[targetIndex]
        let requestPath = path(index: index)
        let hostHeader = target.address.hostHeader
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { [tls = target.tls] channel in
                do {
                    try tls?.addHandler(to: channel)
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                let watcher = HandshakeWatcher(signal: signal)
                let handler = SubscriberHandler(
                    index: index, target: targetIndex, stats: loopStats, signal: signal, machine: machine)
                // No automatic error handler: one handler fewer on every frame's path; the
                // subscriber handler closes the connection on a protocol error itself.
                let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 20, automaticErrorHandling: false) {
                    channel, _ in
                    channel.pipeline.removeHandler(watcher).flatMap { channel.pipeline.addHandler(handler) }
                }
                let upgrade: NIOHTTPClientUpgradeSendableConfiguration = (
                    upgraders: [upgrader], completionHandler: { _ in }
                )
                return channel.pipeline.addHTTPClientHandlers(
                    leftOverBytesStrategy: .forwardBytes, withClientUpgrade: upgrade
                ).flatMap {
                    channel.pipeline.addHandler(watcher)
                }
            }
        var outcome = ConnectOutcome(index: index)
        let timer = loop.scheduleTask(in: timeout) { signal.fail(.timeout) }
        bootstrap.connect(host: target.address.host, port: target.address.port).whenComplete { result in
            switch result {
            case .failure(let error):
                signal.fail(.connect(TLSClient.explain(error)))
            case .success(let channel):
                outcome.channel = channel
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: hostHeader)
                headers.add(name: "Content-Length", value: "0")
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: requestPath, headers: headers)
                channel.write(HTTPClientRequestPart.head(head), promise: nil)
                channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                signal.promise.futureResult.whenFailure { _ in channel.close(promise: nil) }
            }
        }
        return signal.promise.futureResult.map { ready -> ConnectOutcome in
            timer.cancel()
            var done = outcome
            done.readyMicros = ready
            return done
        }.flatMapErrorWithEventLoop { error, loop in
            timer.cancel()
            var done = outcome
            done.failure = (error as? ConnectFailure) ?? .connect(String(describing: error))
            return loop.makeSucceededFuture(done)
        }
    }
}
