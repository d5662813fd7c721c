import NIOCore
import PusherProtocol

/// The public port's HTTP/1.1 side. It reads requests with `HTTP1Parser`, answers health,
/// readiness and the Pusher HTTP API with pre-formatted responses, and hands a WebSocket
/// opening handshake over to a `WebSocketSession`.
///
/// Responses are written as requests are read and flushed once per read cycle, so pipelined
/// requests that arrive together are answered in one `write(2)`. When publishes queue fan-outs
/// on other event loops, the last request of a read is answered once those loops have run them
/// (`FanOut.settled`), and nothing more is read meanwhile: a publisher goes at its subscribers'
/// pace, while the publishes of one read (pipelined) are run together, one write per subscriber
/// (BENCHMARKS.md, issue 18's eighth step). If a read ends inside a request, reading waits for
/// those loops instead. A client that stops reading
/// its responses is not read from until its socket drains. A malformed request, a body larger
/// than `maxRequestBody` or `Connection: close` ends the connection after the response.
final class HTTPHandler: LoopTimer, ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case open
        /// The socket's send buffer is full: requests wait in `inbound`, reading is paused.
        case paused
        /// A response is being computed elsewhere (a cluster read of Redis), or the fan-outs of
        /// the publishes just answered are still queued on other loops: later requests wait in
        /// `inbound`, reading is paused, and answers keep their order.
        case waiting
        /// The last response is written; the connection closes once it is sent.
        case closing
        /// Handed over to the WebSocket handlers.
        case upgraded
    }

    private let context: ServerContext
    private let api: PusherAPI
    private var parser: HTTP1Parser
    private var inbound: ByteBuffer?
    private var state = State.open
    private var unflushed = false
    private var batch: FlushBatch?
    /// When the client last sent a byte, and the check that closes the connection once it has
    /// been silent for `httpIdleTimeout` (re-armed lazily, not per request).
    private var lastRead = NIODeadline.uptimeNanoseconds(0)
    private var channelContext: ChannelHandlerContext?
    /// The descriptor this connection holds (and its address's count, once admitted), until the
    /// upgrade hands them to the session or the connection closes.
    private var leases: ConnectionLeases
    /// The bytes of the request being read (head, body framing, leading blank lines) and of any
    /// `100 Continue` sent for it, charged to its app once it is answered.
    private var requestBytes = 0
    private var interimBytes = 0
    /// The other loops this connection's publishes queued fan-outs on since it last waited.
    private let owed = FanOut.Receipt()

    /// - Parameters:
    ///   - descriptors: the budget this accepted socket was counted in, given back when it closes
    ///     (nil in tests).
    ///   - alreadyRead: what was read from the socket before NIO served it (`EpollFront`): read
    ///     first, when the channel becomes active (before NIO reads the socket).
    init(context: ServerContext, descriptors: DescriptorBudget? = nil, alreadyRead: ByteBuffer? = nil) {
        self.context = context
        self.api = PusherAPI(context: context)
        self.parser = HTTP1Parser(maxBodyBytes: context.options.maxRequestBody)
        self.leases = ConnectionLeases(descriptors: descriptors)
        self.inbound = alreadyRead
    }

    func handlerAdded(context channelContext: ChannelHandlerContext) {
        self.channelContext = channelContext
        lastRead = channelContext.eventLoop.now
        LoopTimers.of(channelContext.eventLoop).schedule(self, at: lastRead + idleTimeout)
    }

    /// Bytes handed over with the socket are answered as a first read would be.
    func channelActive(context channelContext: ChannelHandlerContext) {
        if inbound != nil {
            process(channelContext)
            flushIfNeeded(channelContext)
        }
        channelContext.fireChannelActive()
    }

    func handlerRemoved(context channelContext: ChannelHandlerContext) {
        LoopTimers.of(channelContext.eventLoop).cancel(self)
        leases.release(context)
        self.channelContext = nil
    }

    private var idleTimeout: TimeAmount { .milliseconds(Int64(context.options.httpIdleTimeout * 1000)) }

    /// The idle check (re-armed lazily, at the time the last read makes due).
    override func deadlinePassed(now: NIODeadline) {
        guard state != .upgraded, let channelContext else { return }
        let due = lastRead + idleTimeout
        if due <= now {
            context.logger.debug("http connection idle, closing")
            channelContext.close(promise: nil)
        } else {
            LoopTimers.of(channelContext.eventLoop).schedule(self, at: due)
        }
    }

    func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
        lastRead = channelContext.eventLoop.now
        var bytes = unwrapInboundIn(data)
        guard state == .open || state == .paused || state == .waiting else { return }
        if inbound == nil { inbound = bytes } else { inbound!.writeBuffer(&bytes) }
        if state == .open { process(channelContext) }
    }

    func channelReadComplete(context channelContext: ChannelHandlerContext) {
        flushIfNeeded(channelContext)
        channelContext.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context channelContext: ChannelHandlerContext) {
        if state == .paused, channelContext.channel.isWritable {
            state = .open
            channelContext.channel.setOption(.autoRead, value: true).whenComplete { _ in }
            process(channelContext)
            flushIfNeeded(channelContext)
        }
        channelContext.fireChannelWritabilityChanged()
    }

    func errorCaught(context channelContext: ChannelHandlerContext, error: Error) {
        context.logger.debug("http error", metadata: ["error": "\(error)"])
        channelContext.close(promise: nil)
    }

    /// Answers every complete request in `inbound`, in order.
    private func process(_ channelContext: ChannelHandlerContext) {
        guard var buffer = inbound else { return }
        inbound = nil
        defer {
            if state != .upgraded, buffer.readableBytes > 0 {
                if buffer.readerIndex > 4096 { buffer.discardReadBytes() }
                inbound = buffer
            }
        }
        while state == .open {
            let before = buffer.readerIndex
            let step = parser.next(&buffer)
            requestBytes += buffer.readerIndex - before
            switch step {
            case .needMore:
                waitForFanOuts(channelContext)
                return
            case .expectsContinue:
                let interim = channelContext.channel.allocator.buffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")
                interimBytes += interim.readableBytes
                channelContext.write(wrapOutboundOut(interim), promise: nil)
                unflushed = true
            case .failure(let error):
                respond(
                    .json(APIError(error.status, error.message).body, status: error.status), close: true, channelContext
                )
            case .request(let request):
                if request.isWebSocketUpgrade {
                    requestBytes = 0
                    upgrade(request, leftover: &buffer, channelContext)
                    return
                }
                if buffer.readableBytes > 0 {
                    // More pipelined requests follow in this read: their fan-outs (and this
                    // one's) share one flush per subscriber at the end of the tick.
                    flushBatch(channelContext).scheduleFlush()
                }
                var (answer, counters) = route(request)
                if buffer.readableBytes == 0, !owed.loops.isEmpty {
                    // The last request of this read is answered once the fan-outs of every
                    // publish read with it have run (each loop runs its tasks in order).
                    answer = answer.after(owed.take())
                }
                switch answer {
                case .now(let response):
                    finish(request, response, counters: counters, channelContext)
                case .later(let pending):
                    state = .waiting
                    channelContext.channel.setOption(.autoRead, value: false).whenComplete { _ in }
                    let bound = NIOLoopBound((self, channelContext), eventLoop: channelContext.eventLoop)
                    let loop = channelContext.eventLoop
                    pending.start { response in
                        loop.execute {
                            let (handler, channelContext) = bound.value
                            handler.resume(request, response, counters: counters, channelContext)
                        }
                    }
                    return
                }
            }
        }
    }

    /// Writes the answer to `request` and charges its bytes to the app.
    private func finish(
        _ request: HTTP1Request, _ response: HTTPResponse, counters: AppCounters?,
        _ channelContext: ChannelHandlerContext
    ) {
        var response = response
        // HEAD: the GET response's head (its Content-Length included), without the body.
        if request.method == "HEAD" { response.omitsBody = true }
        let written = respond(response, close: !request.keepAlive, channelContext)
        counters?.httpExchange(requestBytes: requestBytes, responseBytes: interimBytes + written)
        (requestBytes, interimBytes) = (0, 0)
        if state == .open, !channelContext.channel.isWritable {
            state = .paused
            channelContext.channel.setOption(.autoRead, value: false).whenComplete { _ in }
        }
    }

    /// Every complete request read so far is answered: if their fan-outs wait on other loops,
    /// read nothing more until those loops have run them.
    private func waitForFanOuts(_ channelContext: ChannelHandlerContext) {
        guard state == .open, !owed.loops.isEmpty else { return }
        state = .waiting
        channelContext.channel.setOption(.autoRead, value: false).whenComplete { _ in }
        let bound = NIOLoopBound((self, channelContext), eventLoop: channelContext.eventLoop)
        let loop = channelContext.eventLoop
        FanOut.settled(owed.take()) {
            loop.execute {
                let (handler, channelContext) = bound.value
                handler.resumeReading(channelContext)
            }
        }
    }

    private func resumeReading(_ channelContext: ChannelHandlerContext) {
        guard state == .waiting, channelContext.channel.isActive else { return }
        state = .open
        channelContext.channel.setOption(.autoRead, value: true).whenComplete { _ in }
        process(channelContext)
        flushIfNeeded(channelContext)
    }

    /// A response computed elsewhere is there: write it, then go on with the requests that
    /// waited behind it.
    private func resume(
        _ request: HTTP1Request, _ response: HTTPResponse, counters: AppCounters?,
        _ channelContext: ChannelHandlerContext
    ) {
        guard state == .waiting, channelContext.channel.isActive else { return }
        state = .open
        finish(request, response, counters: counters, channelContext)
        guard state == .open else {
            flushIfNeeded(channelContext)
            return
        }
        channelContext.channel.setOption(.autoRead, value: true).whenComplete { _ in }
        process(channelContext)
        flushIfNeeded(channelContext)
    }

    /// The answer, and the counters of the app an `/apps/{id}/…` request was for.
    private func route(_ request: HTTP1Request) -> (HTTPAnswer, AppCounters?) {
        let target = request.target
        let path: Substring
        let query: Substring
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = target[..<q]
            query = target[target.utf8.index(after: q)...]
        } else {
            path = target[...]
            query = ""
        }
        switch (request.method == "HEAD" ? "GET" : request.method, path) {
        case ("POST", "/hooks/git"):
            return (.now(gitHook(request)), nil)
        case ("GET", "/healthz"):
            return (.now(.json("{\"status\":\"ok\"}")), nil)
        case ("GET", "/readyz"):
            let (ready, body) = context.readiness(verbose: QueryString.parse(query).contains { $0.0 == "verbose" })
            return (.now(.json(body, status: ready ? 200 : 503)), nil)
        default:
            if path.utf8.starts(with: "/apps/".utf8) {
                return api.handle(
                    HTTPRequest(
                        method: request.method, path: String(path), query: QueryString.parse(query), body: request.body),
                    owed: owed)
            }
            if path.utf8.starts(with: "/app/".utf8) {
                return (.now(.json(APIError(400, "WebSocket upgrade expected on \(path)").body, status: 400)), nil)
            }
            return (.now(.json(APIError.notFound("No route for \(request.method) \(path)").body, status: 404)), nil)
        }
    }

    /// Verifies a git host's webhook and triggers a reconcile pass; it carries no state.
    private func gitHook(_ request: HTTP1Request) -> HTTPResponse {
        guard let hook = context.options.gitHook else {
            return .json(APIError.notFound("The git webhook is not configured (--webhook-secret)").body, status: 404)
        }
        switch GitHookSignature.verify(
            body: request.body, secret: hook.secret, header: { request.header($0.lowercased()) })
        {
        case .accepted(let provider):
            hook.trigger(provider)
            return .json("{\"triggered\":true}", status: 202)
        case .rejected(let reason):
            context.logger.warning("git webhook refused", metadata: ["reason": "\(reason)"])
            return .json(APIError.unauthorized(reason).body, status: 401)
        }
    }

    /// The WebSocket opening handshake (RFC 6455 §4.2.2) on any path: a non-Pusher path is
    /// refused after the upgrade with 4005, as hosted Pusher does. Bytes that followed the
    /// request go to the frame decoder.
    private func upgrade(_ request: HTTP1Request, leftover: inout ByteBuffer, _ channelContext: ChannelHandlerContext) {
        let key: String
        switch WebSocketUpgrade.check(request, descriptors: context.descriptors) {
        case .refuse(let response):
            respond(response, close: true, channelContext)
            return
        case .proceed(let valid):
            key = valid
        }
        let handshake = Handshake.read(uri: request.target)
        let remoteAddress = channelContext.channel.remoteAddress
        let ip = remoteAddress?.ipAddress
        switch context.admitAddress(handshake, address: ip) {
        case .refused(let refusal):
            respond(refusal, close: true, channelContext)
            return
        case .admitted(let addressKey):
            leases.addressKey = addressKey
        }
        channelContext.write(
            wrapOutboundOut(WebSocketUpgrade.switchingProtocols(key: key, allocator: channelContext.channel.allocator)),
            promise: nil)
        unflushed = true
        state = .upgraded
        let session = WebSocketSession(
            context: context,
            handshake: WebSocketSession.Handshake(
                request: handshake, origin: request.header("origin"),
                remote: LogFields.remote(ip: ip, port: remoteAddress?.port)),
            leases: leases)
        do {
            try channelContext.pipeline.syncOperations.addHandler(session)
            leases = ConnectionLeases()  // the session's now
        } catch {
            context.logger.warning("websocket upgrade failed", metadata: ["error": "\(error)"])
            channelContext.close(promise: nil)
            return
        }
        flushIfNeeded(channelContext)
        if leftover.readableBytes > 0 {
            let rest = leftover
            leftover.clear()
            channelContext.fireChannelRead(NIOAny(rest))
        }
        channelContext.pipeline.syncOperations.removeHandler(context: channelContext, promise: nil)
    }

    /// Writes the response and returns its size in bytes.
    @discardableResult
    private func respond(_ response: HTTPResponse, close: Bool, _ channelContext: ChannelHandlerContext) -> Int {
        var buffer = channelContext.channel.allocator.buffer(capacity: 128 + response.body.utf8.count)
        response.encode(close: close, into: &buffer)
        let size = buffer.readableBytes
        guard close else {
            channelContext.write(wrapOutboundOut(buffer), promise: nil)
            unflushed = true
            return size
        }
        state = .closing
        unflushed = false
        let channel = channelContext.channel
        channelContext.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
        return size
    }

    /// The flush batch of this connection's event loop, looked up once.
    private func flushBatch(_ channelContext: ChannelHandlerContext) -> FlushBatch {
        if let batch { return batch }
        let batch = FlushBatch.of(channelContext.eventLoop)
        self.batch = batch
        return batch
    }

    private func flushIfNeeded(_ channelContext: ChannelHandlerContext) {
        guard unflushed else { return }
        unflushed = false
        channelContext.flush()
    }
}
