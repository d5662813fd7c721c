import BelfryManifest
import Logging
import NIOCore
import NIOWebSocket
import PusherProtocol

/// The channel handler of one upgraded WebSocket: runs the Pusher handshake, decodes frames,
/// and dispatches protocol messages (`WebSocketSession+Messages.swift`). Lives on one event loop.
final class WebSocketSession: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let context: ServerContext
    let uri: String
    let origin: String?
    let remote: String
    var connection: Connection?
    /// A refused connection waiting for the client's close frame.
    private var refused: Connection?
    var liveness: LivenessStateMachine?
    /// One timer for both deadlines: the liveness check and, until the connection signs in
    /// (apps with `userAuthentication`), the sign-in deadline.
    private var timer: LoopTimer?
    private var authDeadline: UInt64?
    private var connectedAt: UInt64 = 0
    /// The app's manifest name at admission, for log lines (the app may be gone at disconnect).
    var appName: String?
    private var readingPaused = false
    /// Refused subscriptions and rejected client events of this connection are each logged at
    /// most once per second, with a count.
    var subscriptionRefusalLog = LogThrottle()
    var clientEventRejectionLog = LogThrottle()

    init(context: ServerContext, uri: String, origin: String?, remote: String) {
        self.context = context
        self.uri = uri
        self.origin = origin
        self.remote = remote
    }

    var logger: Logger { context.logger }

    func handlerAdded(context channelContext: ChannelHandlerContext) {
        switch admit(channel: channelContext.channel) {
        case .success(let connection):
            self.connection = connection
            Self.meterInbound(channelContext, into: connection.counters)
            connection.send(
                ServerMessage.connectionEstablished(
                    socketID: connection.socketID, activityTimeout: context.options.activityTimeout))
            startTimers(channelContext)
            connectedAt = Now.nanoseconds
            context.hubs.existing(connection.appID)?.raise(.connectionOpened) {
                [WebhookEvent(.connectionOpened, socketID: connection.socketID, timeMs: $0)]
            }
            let query = QueryString.parse(Handshake.split(uri).1)
            func param(_ name: String) -> String { query.first { $0.0 == name }?.1 ?? "" }
            logger.info(
                "connected",
                metadata: LogFields.app(id: connection.appID, name: appName).merging([
                    "socket_id": "\(connection.socketID)", "remote": "\(remote)",
                    "origin": "\(origin ?? "")", "protocol": "\(param("protocol"))",
                    "client": "\(param("client")) \(param("version"))",
                ]))
        case .failure(let reason):
            // A refusal by a known app (disabled, origin, quota, draining) is that app's traffic.
            var counters: AppCounters?
            var fields: Logger.Metadata = [
                "code": LogFields.number(reason.code.rawValue), "reason": "\(reason.message)", "remote": "\(remote)",
            ]
            if let key = try? Handshake.appKey(uri: uri).get(), let app = context.store.app(key: key) {
                // A configured app's hub (one per app, bounded by the configuration), so the refusal
                // counts even before the app's first accepted connection.
                counters = context.hubs.hub(for: app.id).counters
                counters?.rejected("connection \(reason.code.rawValue)")
                fields = fields.merging(LogFields.app(id: app.id, name: app.name))
            }
            logger.info("connection refused", metadata: fields)
            if let counters { Self.meterInbound(channelContext, into: counters) }
            refused = Self.refuse(channelContext.channel, reason, counters: counters ?? AppCounters())
        }
    }

    /// The handshake: server phase, path, protocol, app, origin, connection quota.
    private func admit(channel: Channel) -> Result<Connection, CloseReason> {
        if context.currentPhase == .draining {
            return .failure(CloseReason(.reconnectImmediately, "Server is shutting down; reconnect"))
        }
        let key: String
        switch Handshake.appKey(uri: uri) {
        case .success(let k): key = k
        case .failure(let reason): return .failure(reason)
        }
        guard let app = context.store.app(key: key) else {
            return .failure(CloseReason(.appDoesNotExist, "App key \(key) does not exist"))
        }
        guard app.enabled else { return .failure(CloseReason(.appDisabled)) }
        guard OriginPolicy.allows(origin: origin, patterns: app.allowedOrigins) else {
            return .failure(CloseReason(.unauthorized, "Origin \(origin ?? "(none)") is not allowed for this app"))
        }
        appName = app.name
        let hub = context.hubs.hub(for: app.id)
        let connection = Connection(
            socketID: SocketID.generate(), appID: app.id, channel: channel,
            loopIndex: context.loopIndices[ObjectIdentifier(channel.eventLoop)] ?? 0,
            maxBacklog: context.options.maxOutboundBacklog, counters: hub.counters)
        guard hub.admit(connection, maxConnections: app.limits.maxConnections) else {
            return .failure(CloseReason(.overConnectionQuota))
        }
        if !app.userAuthentication { connection.isAuthorized = true }
        return .success(connection)
    }

    /// Sends `pusher:error` and the close frame through a connection that never joins a hub.
    private static func refuse(_ channel: Channel, _ reason: CloseReason, counters: AppCounters) -> Connection {
        let connection = Connection(
            socketID: "0.0", appID: "", channel: channel, loopIndex: 0, maxBacklog: 0, counters: counters)
        connection.close(reason)
        return connection
    }

    /// Every frame the client sends from now on is counted for the app, before aggregation (so a
    /// fragmented message counts each fragment's header) and whatever the session makes of it.
    private static func meterInbound(_ channelContext: ChannelHandlerContext, into counters: AppCounters) {
        (try? channelContext.pipeline.syncOperations.handler(type: FrameGuard.self))?.counters = counters
    }

    private func startTimers(_ channelContext: ChannelHandlerContext) {
        let options = context.options
        let now = channelContext.eventLoop.now.uptimeNanoseconds
        liveness = LivenessStateMachine(
            now: now, activityTimeoutSeconds: options.activityTimeout, pongTimeoutSeconds: options.pongTimeout)
        if let connection, !connection.isAuthorized {
            authDeadline = now + UInt64(options.userAuthenticationTimeout) * 1_000_000_000
        }
        // The timer holds this session until `channelInactive` cancels it.
        let timer = LoopTimer { now in self.timerFired(channelContext.eventLoop, now: now.uptimeNanoseconds) }
        self.timer = timer
        scheduleTimer(channelContext.eventLoop)
    }

    private func scheduleTimer(_ loop: EventLoop) {
        guard let timer, let liveness else { return }
        let deadline = min(liveness.nextDeadline, authDeadline ?? .max)
        LoopTimers.of(loop).schedule(timer, at: .uptimeNanoseconds(deadline))
    }

    private func timerFired(_ loop: EventLoop, now: UInt64) {
        guard let connection, !connection.isClosed else { return }
        if let authDeadline, now >= authDeadline {
            self.authDeadline = nil
            if !connection.isAuthorized {
                logger.info(
                    "connection not authorized in time",
                    metadata: LogFields.app(id: connection.appID, name: appName).merging([
                        "socket_id": "\(connection.socketID)"
                    ]))
                connection.close(CloseReason(.unauthorized, "Connection not authorized within timeout"))
                return
            }
        }
        switch liveness?.tick(now: now) {
        case .sendPing:
            connection.send(ServerMessage.ping)
        case .close(let reason):
            connection.close(reason)
            return
        case .some(.none), nil:
            break
        }
        scheduleTimer(loop)
    }

    func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let connection = connection ?? refused else { return }
        if frame.opcode == .connectionClose {
            var data = frame.unmaskedData
            let payload = data.readBytes(length: data.readableBytes) ?? []
            connection.answerClose(code: InboundFrameRules.answer(toClosePayload: payload))
            return
        }
        guard !connection.isClosed else { return }
        liveness?.received(now: channelContext.eventLoop.now.uptimeNanoseconds)
        switch frame.opcode {
        case .text:
            var buffer = frame.unmaskedData
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            guard InboundFrameRules.isUTF8(bytes) else {
                connection.closeSilently(code: 1007, message: "Text frames must be UTF-8")
                return
            }
            handle(bytes, connection)
        case .binary:
            connection.send(
                ServerMessage.error(code: nil, message: "Binary frames are not supported; send JSON text frames"))
        case .ping:
            connection.pong(frame.unmaskedData)
        default:
            break
        }
        pauseReadingIfUnwritable(channelContext)
    }

    /// A client whose socket is not draining is not read from until it does: its pings, subscribes
    /// and events would only queue more answers. Reading resumes on `channelWritabilityChanged`.
    private func pauseReadingIfUnwritable(_ channelContext: ChannelHandlerContext) {
        guard !readingPaused, !channelContext.channel.isWritable else { return }
        readingPaused = true
        channelContext.channel.setOption(.autoRead, value: false).whenComplete { _ in }
    }

    func channelWritabilityChanged(context channelContext: ChannelHandlerContext) {
        connection?.writabilityChanged()
        if readingPaused, channelContext.channel.isWritable {
            readingPaused = false
            channelContext.channel.setOption(.autoRead, value: true).whenComplete { _ in }
        }
        channelContext.fireChannelWritabilityChanged()
    }

    func channelInactive(context channelContext: ChannelHandlerContext) {
        if let timer { LoopTimers.of(channelContext.eventLoop).cancel(timer) }
        timer = nil
        if let connection {
            connection.isClosed = true
            // Counted before the hub lets go of it: a drain waits for the hubs to empty, then the
            // final statistics flush must find every disconnection counted.
            connection.counters.disconnected(code: connection.closeCode ?? 1006)
            let hub = context.hubs.existing(connection.appID)
            hub?.remove(connection, subscriptions: connection.subscriptions)
            connection.subscriptions = [:]
            let lifetime = Int((Now.nanoseconds - connectedAt) / 1_000_000)
            hub?.raise(.connectionClosed) {
                [
                    WebhookEvent(
                        .connectionClosed, socketID: connection.socketID, userID: connection.signedIn?.id,
                        closeCode: Int(connection.closeCode ?? 1006), durationMs: lifetime, timeMs: $0)
                ]
            }
            logger.info(
                "disconnected",
                metadata: LogFields.app(id: connection.appID, name: appName).merging([
                    "socket_id": "\(connection.socketID)",
                    "code": LogFields.number(connection.closeCode ?? 1006),
                    "duration_ms": LogFields.number((Now.nanoseconds - connectedAt) / 1_000_000),
                ]))
            self.connection = nil
        }
        channelContext.fireChannelInactive()
    }

    /// A frame that broke RFC 6455 (`FrameGuard`), or a fragmented message the aggregator
    /// refused, closes with 1002 (1009 when too large); other errors close the socket.
    func errorCaught(context channelContext: ChannelHandlerContext, error: Error) {
        logger.debug("websocket error", metadata: ["error": "\(error)", "remote": "\(remote)"])
        let connection = self.connection ?? refused
        if let violation = error as? InboundFrameRules.Violation, let connection {
            connection.closeSilently(code: violation.code, message: violation.reason)
        } else if let aggregation = error as? NIOWebSocketFrameAggregator.Error, let connection {
            let tooLarge = aggregation == .accumulatedFrameSizeIsTooLarge || aggregation == .tooManyFragments
            connection.closeSilently(
                code: tooLarge ? 1009 : 1002, message: tooLarge ? "Message too large" : "Invalid fragmentation")
        } else {
            channelContext.close(promise: nil)
        }
    }
}
