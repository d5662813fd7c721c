import BelfryManifest
import Logging
import NIOCore
import PusherProtocol

/// An upgraded WebSocket: runs the Pusher handshake, reads frames (`FrameReader`), and dispatches
/// protocol messages (`WebSocketSession+Messages.swift`). It writes frames it encodes itself
/// (`ServerFrame`) through its socket's `ConnectionTransport`. Lives on one event loop.
///
/// What serves the socket calls `opened`, `read`, `writabilityChanged`, `closed` and `released`;
/// for a NIO channel that is the session's own `ChannelInboundHandler` conformance
/// (`WebSocketSession+Channel.swift`), so a connection is still one object, not two.
///
/// It is a `LoopTimer`: one deadline for both the liveness check and, until the connection signs
/// in (apps with `userAuthentication`), the sign-in deadline. It is kept small: an idle
/// connection's memory is mostly this object, its `Connection` and NIO's channel.
final class WebSocketSession: LoopTimer {
    let context: ServerContext
    /// `pusher:pong` as client libraries send it (pusher-js, the Pusher SDKs).
    private static let pong = Array(ServerMessage.pong.utf8)
    /// What the upgrade request said, until `opened` has admitted (or refused) it.
    final class Handshake {
        let request: PusherProtocol.Handshake.Request
        let origin: String?
        /// `ip:port`, for the log line.
        let remote: String

        init(request: PusherProtocol.Handshake.Request, origin: String?, remote: String) {
            self.request = request
            self.origin = origin
            self.remote = remote
        }
    }

    private var handshake: Handshake?
    var connection: Connection?
    /// A refused connection waiting for the client's close frame.
    private var refused: Connection?
    var liveness: LivenessStateMachine?
    private var authDeadline: UInt64?
    private var connectedAt: UInt64 = 0
    /// The app's manifest name at admission, for log lines (the app may be gone at disconnect).
    var appName: String?
    /// Reading is paused while the socket is not draining, or while client events of this
    /// connection wait on other loops (`awaitFanOuts`).
    private var readingPaused = false
    private var waitingForFanOuts = false
    /// The other loops this connection's client events were queued on (made on the first).
    private var fanOutsOwed: FanOut.Receipt?
    /// Refused subscriptions and rejected client events of this connection are each logged at
    /// most once per second, with a count (made on the first refusal).
    var logThrottles: LogThrottles?
    /// The descriptor and address count this connection holds until it closes.
    private var leases: ConnectionLeases

    private var reader: FrameReader
    /// Bytes of a frame that has not fully arrived yet.
    private var inbound: ByteBuffer?
    /// The app every frame the client sends is counted for (wire bytes, headers included), once
    /// the handshake has named a known app.
    private var inboundCounters: AppCounters?

    init(context: ServerContext, handshake: Handshake, leases: ConnectionLeases = ConnectionLeases()) {
        self.reader = FrameReader(maxMessageSize: context.options.maxFrameSize)
        self.context = context
        self.handshake = handshake
        self.leases = leases
    }

    var logger: Logger { context.logger }

    /// The socket is the session's: admit or refuse the connection the handshake asked for.
    func opened(_ transport: ConnectionTransport) {
        guard let handshake else { return }
        self.handshake = nil
        let (request, remote) = (handshake.request, handshake.remote)
        switch admit(transport, request: request, origin: handshake.origin) {
        case .success(let connection):
            self.connection = connection
            inboundCounters = connection.counters
            connection.send(
                ServerMessage.connectionEstablished(
                    socketID: connection.socketID, activityTimeout: context.options.activityTimeout))
            startTimers(transport.eventLoop)
            connectedAt = Now.nanoseconds
            context.hubs.existing(connection.appID)?.raise(.connectionOpened) {
                [WebhookEvent(.connectionOpened, socketID: connection.socketID, timeMs: $0)]
            }
            context.connectionLog.connected(
                .init(
                    app: appName ?? connection.appID, appID: connection.appID, socketID: connection.socketID,
                    remote: remote, origin: handshake.origin ?? "", protocolVersion: request.protocolVersion,
                    client: request.client + " " + request.clientVersion))
        case .failure(let reason):
            // A refusal by a known app (disabled, origin, quota, draining) is that app's traffic.
            var counters: AppCounters?
            var fields: Logger.Metadata = [
                "code": LogFields.number(reason.code.rawValue), "reason": "\(reason.message)", "remote": "\(remote)",
            ]
            if let key = try? request.appKey.get(), let app = context.store.app(key: key) {
                // A configured app's hub (one per app, bounded by the configuration), so the refusal
                // counts even before the app's first accepted connection.
                counters = context.hubs.hub(for: app.id).counters
                counters?.rejected("connection \(reason.code.rawValue)")
                fields = fields.merging(LogFields.app(id: app.id, name: app.name))
            }
            logger.info("connection refused", metadata: fields)
            inboundCounters = counters
            refused = Self.refuse(transport, reason, counters: counters ?? AppCounters())
        }
    }

    /// The handshake: server phase, path, protocol, app, origin, connection quota.
    private func admit(
        _ transport: ConnectionTransport, request: PusherProtocol.Handshake.Request, origin: String?
    ) -> Result<Connection, CloseReason> {
        if context.currentPhase == .draining {
            return .failure(CloseReason(.reconnectImmediately, "Server is shutting down; reconnect"))
        }
        let key: String
        switch request.appKey {
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
            socketID: SocketID.generate(), appID: app.id, transport: transport,
            loopIndex: context.loopIndices[ObjectIdentifier(transport.eventLoop)] ?? 0,
            maxBacklog: context.options.maxOutboundBacklog, counters: hub.counters)
        guard hub.admit(connection, maxConnections: app.limits.maxConnections) else {
            return .failure(CloseReason(.overConnectionQuota))
        }
        if !app.userAuthentication { connection.isAuthorized = true }
        return .success(connection)
    }

    /// Sends `pusher:error` and the close frame through a connection that never joins a hub.
    private static func refuse(
        _ transport: ConnectionTransport, _ reason: CloseReason, counters: AppCounters
    ) -> Connection {
        let connection = Connection(
            socketID: "0.0", appID: "", transport: transport, loopIndex: 0, maxBacklog: 0, counters: counters)
        connection.close(reason)
        return connection
    }

    private func startTimers(_ loop: EventLoop) {
        let options = context.options
        let now = loop.now.uptimeNanoseconds
        liveness = LivenessStateMachine(
            now: now, activityTimeoutSeconds: options.activityTimeout, pongTimeoutSeconds: options.pongTimeout)
        if let connection, !connection.isAuthorized {
            authDeadline = now + UInt64(options.userAuthenticationTimeout) * 1_000_000_000
        }
        scheduleTimer(loop)
    }

    private func scheduleTimer(_ loop: EventLoop) {
        guard let liveness else { return }
        let deadline = min(liveness.nextDeadline, authDeadline ?? .max)
        LoopTimers.of(loop).schedule(self, at: .uptimeNanoseconds(deadline))
    }

    override func deadlinePassed(now deadline: NIODeadline) {
        guard let connection, !connection.isClosed else { return }
        let now = deadline.uptimeNanoseconds
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
            connection.send(shared: .ping)
        case .close(let reason):
            connection.close(reason)
            return
        case .some(.none), nil:
            break
        }
        scheduleTimer(connection.loop)
    }

    /// Reads every complete frame that has arrived; the bytes of a frame still arriving wait in
    /// `inbound` (an idle connection keeps no buffer).
    func read(_ bytes: ByteBuffer, from transport: ConnectionTransport) {
        var bytes = bytes
        if var pending = inbound {
            inbound = nil
            pending.writeBuffer(&bytes)
            bytes = pending
        }
        let consumed = bytes.withUnsafeReadableBytes { readFrames($0, transport) }
        bytes.moveReaderIndex(forwardBy: consumed)
        if bytes.readableBytes > 0, !reader.failed {
            bytes.discardReadBytes()
            inbound = bytes
        }
        awaitFanOuts(transport)
        updateReading(transport)
    }

    /// Bytes read into a buffer that is only valid during the call (an epoll loop's): its frames
    /// are read in place, and only the bytes of a frame still arriving are copied, into `inbound`.
    func read(_ bytes: UnsafeRawBufferPointer, from transport: ConnectionTransport) {
        if var pending = inbound {
            inbound = nil
            pending.writeBytes(bytes)
            return read(pending, from: transport)
        }
        let consumed = readFrames(bytes, transport)
        if consumed < bytes.count, !reader.failed {
            inbound = ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
        }
        awaitFanOuts(transport)
        updateReading(transport)
    }

    /// Reads and dispatches every complete frame in `bytes`; returns how many bytes they took.
    private func readFrames(_ bytes: UnsafeRawBufferPointer, _ transport: ConnectionTransport) -> Int {
        var consumed = 0
        reading: while true {
            switch reader.next(bytes, consumed: &consumed) {
            case .needMore:
                break reading
            case .message(let opcode, let payload):
                received(opcode, payload, now: transport.eventLoop.now)
            case .violation(let violation):
                // Nothing after a frame that broke the rules is read.
                logger.debug(
                    "websocket violation",
                    metadata: [
                        "reason": "\(violation.reason)",
                        "remote": "\(LogFields.remote(transport.remoteAddress))",
                    ])
                (connection ?? refused)?.fail(code: violation.code, message: violation.reason)
                break reading
            }
        }
        // Every frame is counted for the app as it arrived (a fragmented message counts each
        // fragment's header), whatever the session makes of it.
        inboundCounters?.frameBytesIn.wrappingIncrement(by: consumed, ordering: .relaxed)
        return consumed
    }

    /// One message or control frame from the client.
    private func received(_ opcode: FrameReader.Opcode, _ payload: [UInt8], now: NIODeadline) {
        guard let connection = connection ?? refused else { return }
        if opcode == .close {
            connection.answerClose(code: InboundFrameRules.answer(toClosePayload: payload))
            return
        }
        guard !connection.isClosed else { return }
        liveness?.received(now: now.uptimeNanoseconds)
        switch opcode {
        case .text:
            // The answer to the server's ping, as client libraries send it: nothing to decode
            // (the activity was recorded above).
            if payload == Self.pong { return }
            guard InboundFrameRules.isUTF8(payload) else {
                connection.closeSilently(code: 1007, message: "Text frames must be UTF-8")
                return
            }
            handle(payload, connection)
        case .binary:
            connection.send(
                ServerMessage.error(code: nil, message: "Binary frames are not supported; send JSON text frames"))
        case .ping:
            connection.pong(ByteBuffer(bytes: payload))
        case .pong, .close, .continuation:
            break
        }
    }

    /// A client whose socket is not draining is not read from until it does: its pings, subscribes
    /// and events would only queue more answers (reading resumes on `writabilityChanged`). Nor is
    /// one whose client events still wait on other loops.
    private func updateReading(_ transport: ConnectionTransport) {
        let pause = waitingForFanOuts || !transport.isWritable
        guard pause != readingPaused else { return }
        readingPaused = pause
        if pause { transport.pauseReading() } else { transport.resumeReading() }
    }

    /// The receipt this connection's client events note the other loops on.
    var fanOutReceipt: FanOut.Receipt {
        if let fanOutsOwed { return fanOutsOwed }
        let made = FanOut.Receipt()
        fanOutsOwed = made
        return made
    }

    /// Client events that went to subscribers on other loops: the socket is read again once those
    /// loops have run them, so a client cannot queue work on other loops faster than they do it
    /// (the pace of an HTTP publish, `FanOut.settled`).
    private func awaitFanOuts(_ transport: ConnectionTransport) {
        guard !waitingForFanOuts, let owed = fanOutsOwed, !owed.loops.isEmpty else { return }
        waitingForFanOuts = true
        let loop = transport.eventLoop
        let session = NIOLoopBound(self, eventLoop: loop)
        let socket = NIOLoopBound(transport, eventLoop: loop)
        FanOut.settled(owed.take()) {
            loop.execute {
                session.value.waitingForFanOuts = false
                session.value.awaitFanOuts(socket.value)
                session.value.updateReading(socket.value)
            }
        }
    }

    /// The socket crossed its high- or low-water mark.
    func writabilityChanged(_ transport: ConnectionTransport) {
        connection?.writabilityChanged()
        if readingPaused { updateReading(transport) }
    }

    /// Gives back the descriptor and address count, once the socket is no longer the session's.
    func released(_ transport: ConnectionTransport) {
        LoopTimers.of(transport.eventLoop).cancel(self)
        leases.release(context)
    }

    /// The socket has closed: the connection leaves its hub, counted and logged.
    func closed(_ transport: ConnectionTransport) {
        LoopTimers.of(transport.eventLoop).cancel(self)
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
            context.connectionLog.disconnected(
                .init(
                    app: appName ?? connection.appID, appID: connection.appID, socketID: connection.socketID,
                    code: Int(connection.closeCode ?? 1006), durationMs: lifetime))
            self.connection = nil
        }
    }
}
