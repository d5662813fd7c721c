import NIOCore
import PusherProtocol

/// What serves an `HTTPConnection`'s socket: a NIO channel (`HTTPHandler`) or BelfryEpoll
/// (`EpollHTTPHandler`). Called on the socket's loop.
protocol HTTPConnectionHost: AnyObject {
    /// The client's address (for the per-address count and the session's log lines).
    var peer: SocketAddress? { get }
    /// Gives the socket to `session`, which serves it from now: the 101 is written (not yet
    /// flushed), and `leftover` (bytes that followed the request) is the session's first read.
    /// False if the session could not take it (the connection then closes the socket).
    func handOver(to session: WebSocketSession, leftover: ByteBuffer) -> Bool
}

/// The public port's HTTP/1.1 side, whichever engine serves the socket. It reads requests with
/// `HTTP1Parser`, answers health, readiness and the Pusher HTTP API with pre-formatted responses,
/// and hands a WebSocket opening handshake over to a `WebSocketSession`.
///
/// Responses are written as requests are read and flushed once per read, so pipelined requests
/// that arrive together are answered in one `write(2)`. When publishes queue fan-outs on other
/// event loops, the last request of a read is answered once those loops have run them
/// (`FanOut.settled`), and nothing more is read meanwhile: a publisher goes at its subscribers'
/// pace, while the publishes of one read (pipelined) are run together, one write per subscriber
/// (BENCHMARKS.md, issue 18's eighth step). If a read ends inside a request, reading waits for
/// those loops instead. A client that stops reading its responses is not read from until its
/// socket drains. A malformed request, a body larger than `maxRequestBody` or `Connection: close`
/// ends the connection after the response.
///
/// Loop-confined: every call is made on the socket's loop.
final class HTTPConnection: LoopTimer {
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
        /// Handed over to a `WebSocketSession`.
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
    /// The socket, from `start` until it closes or is handed over.
    private var transport: ConnectionTransport?
    /// What serves `transport`, while there is one. Unowned: the host holds this connection and
    /// the socket holds the host, so the host is alive while `transport` is set (cleared at
    /// close and at the hand-over). Not weak: a weak reference gives the host a side table.
    private unowned var host: HTTPConnectionHost?
    /// The descriptor this connection holds (and its address's count, once admitted), until the
    /// upgrade hands them to the session or the connection closes.
    private var leases: ConnectionLeases
    /// The bytes of the request being read (head, body framing, leading blank lines) and of any
    /// `100 Continue` sent for it, charged to its app once it is answered.
    private var requestBytes = 0
    private var interimBytes = 0
    /// The other loops this connection's publishes queued fan-outs on since it last waited.
    private let owed = FanOut.Receipt()

    /// - Parameter descriptors: the budget this accepted socket was counted in, given back when
    ///   it closes (nil in tests).
    init(context: ServerContext, descriptors: DescriptorBudget?) {
        self.context = context
        self.api = PusherAPI(context: context)
        self.parser = HTTP1Parser(maxBodyBytes: context.options.maxRequestBody)
        self.leases = ConnectionLeases(descriptors: descriptors)
    }

    /// Serves `transport` from now, on its loop.
    func start(_ transport: ConnectionTransport, host: HTTPConnectionHost) {
        self.transport = transport
        self.host = host
        lastRead = transport.eventLoop.now
        LoopTimers.of(transport.eventLoop).schedule(self, at: lastRead + idleTimeout)
    }

    /// The socket has closed: the leases go back.
    func closed() {
        if let transport { LoopTimers.of(transport.eventLoop).cancel(self) }
        leases.release(context)
        transport = nil
        host = nil
    }

    /// Bytes read: the complete requests among them are answered (written; `readComplete`
    /// flushes).
    func read(_ bytes: ByteBuffer) {
        var bytes = bytes
        guard let transport, state == .open || state == .paused || state == .waiting else { return }
        lastRead = transport.eventLoop.now
        if inbound == nil { inbound = bytes } else { inbound!.writeBuffer(&bytes) }
        if state == .open { process(transport) }
    }

    /// Bytes read into a buffer that is only valid during the call (an epoll loop's).
    func read(_ bytes: UnsafeRawBufferPointer) {
        guard let transport, state == .open || state == .paused || state == .waiting else { return }
        lastRead = transport.eventLoop.now
        if inbound == nil { inbound = ByteBuffer(bytes: bytes) } else { inbound!.writeBytes(bytes) }
        if state == .open { process(transport) }
    }

    /// The end of a read: the answers written go out together.
    func readComplete() { flushIfNeeded() }

    /// The socket's send buffer drained below its mark: the requests that waited are answered.
    func writabilityChanged() {
        guard state == .paused, let transport, transport.isWritable else { return }
        state = .open
        transport.resumeReading()
        process(transport)
        flushIfNeeded()
    }

    private var idleTimeout: TimeAmount { .milliseconds(Int64(context.options.httpIdleTimeout * 1000)) }

    /// The idle check (re-armed lazily, at the time the last read makes due).
    override func deadlinePassed(now: NIODeadline) {
        guard state != .upgraded, let transport else { return }
        let due = lastRead + idleTimeout
        if due <= now {
            context.logger.debug("http connection idle, closing")
            transport.closeNow()
        } else {
            LoopTimers.of(transport.eventLoop).schedule(self, at: due)
        }
    }

    /// Answers every complete request in `inbound`, in order.
    private func process(_ transport: ConnectionTransport) {
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
                waitForFanOuts(transport)
                return
            case .expectsContinue:
                let interim = ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")
                interimBytes += interim.readableBytes
                transport.writeFrame(interim)
                unflushed = true
            case .failure(let error):
                respond(.json(APIError(error.status, error.message).body, status: error.status), close: true, transport)
            case .request(let request):
                if request.isWebSocketUpgrade {
                    requestBytes = 0
                    upgrade(request, leftover: &buffer, transport)
                    return
                }
                if buffer.readableBytes > 0 {
                    // More pipelined requests follow in this read: their fan-outs (and this
                    // one's) share one flush per subscriber at the end of the tick.
                    flushBatch(transport.eventLoop).scheduleFlush()
                }
                var (answer, counters) = route(request)
                if buffer.readableBytes == 0, !owed.loops.isEmpty {
                    // The last request of this read is answered once the fan-outs of every
                    // publish read with it have run (each loop runs its tasks in order).
                    answer = answer.after(owed.take())
                }
                switch answer {
                case .now(let response):
                    finish(request, response, counters: counters, transport)
                case .later(let pending):
                    state = .waiting
                    transport.pauseReading()
                    let bound = NIOLoopBound(self, eventLoop: transport.eventLoop)
                    let loop = transport.eventLoop
                    pending.start { response in
                        loop.execute { bound.value.resume(request, response, counters: counters) }
                    }
                    return
                }
            }
        }
    }

    /// Writes the answer to `request` and charges its bytes to the app.
    private func finish(
        _ request: HTTP1Request, _ response: HTTPResponse, counters: AppCounters?, _ transport: ConnectionTransport
    ) {
        var response = response
        // HEAD: the GET response's head (its Content-Length included), without the body.
        if request.method == "HEAD" { response.omitsBody = true }
        let written = respond(response, close: !request.keepAlive, transport)
        counters?.httpExchange(requestBytes: requestBytes, responseBytes: interimBytes + written)
        (requestBytes, interimBytes) = (0, 0)
        if state == .open, !transport.isWritable {
            state = .paused
            transport.pauseReading()
        }
    }

    /// Every complete request read so far is answered: if their fan-outs wait on other loops,
    /// read nothing more until those loops have run them.
    private func waitForFanOuts(_ transport: ConnectionTransport) {
        guard state == .open, !owed.loops.isEmpty else { return }
        state = .waiting
        transport.pauseReading()
        let bound = NIOLoopBound(self, eventLoop: transport.eventLoop)
        let loop = transport.eventLoop
        FanOut.settled(owed.take()) {
            loop.execute { bound.value.resumeReading() }
        }
    }

    private func resumeReading() {
        guard state == .waiting, let transport else { return }
        state = .open
        transport.resumeReading()
        process(transport)
        flushIfNeeded()
    }

    /// A response computed elsewhere is there: write it, then go on with the requests that
    /// waited behind it.
    private func resume(_ request: HTTP1Request, _ response: HTTPResponse, counters: AppCounters?) {
        guard state == .waiting, let transport else { return }
        state = .open
        finish(request, response, counters: counters, transport)
        guard state == .open else {
            flushIfNeeded()
            return
        }
        transport.resumeReading()
        process(transport)
        flushIfNeeded()
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
    /// request go to the session.
    private func upgrade(_ request: HTTP1Request, leftover: inout ByteBuffer, _ transport: ConnectionTransport) {
        let key: String
        switch WebSocketUpgrade.check(request, descriptors: context.descriptors) {
        case .refuse(let response):
            respond(response, close: true, transport)
            return
        case .proceed(let valid):
            key = valid
        }
        let handshake = Handshake.read(uri: request.target)
        let address = host?.peer
        let ip = address?.ipText
        switch context.admitAddress(handshake, address: ip) {
        case .refused(let refusal):
            respond(refusal, close: true, transport)
            return
        case .admitted(let addressKey):
            leases.addressKey = addressKey
        }
        // Held with the session's first frame (connection_established, or the refusal): both go
        // to the kernel in one send.
        transport.writeFrame(WebSocketUpgrade.switchingProtocols(key: key, allocator: Self.allocator))
        unflushed = false
        state = .upgraded
        LoopTimers.of(transport.eventLoop).cancel(self)
        let session = WebSocketSession(
            context: context,
            handshake: WebSocketSession.Handshake(
                request: handshake, origin: request.header("origin"),
                remote: LogFields.remote(ip: ip, port: address?.port)),
            leases: leases)
        let rest = leftover
        leftover.clear()
        // The session's now (a NIO channel removes this connection's handler during the
        // hand-over, which would give them back).
        let held = leases
        leases = ConnectionLeases()
        if host?.handOver(to: session, leftover: rest) == true {
            self.transport = nil
            host = nil
        } else {
            leases = held
            transport.closeNow()
        }
    }

    /// Writes the response and returns its size in bytes.
    @discardableResult
    private func respond(_ response: HTTPResponse, close: Bool, _ transport: ConnectionTransport) -> Int {
        var buffer = Self.allocator.buffer(capacity: 128 + response.body.utf8.count)
        response.encode(close: close, into: &buffer)
        let size = buffer.readableBytes
        guard close else {
            transport.writeFrame(buffer)
            unflushed = true
            return size
        }
        state = .closing
        unflushed = false
        transport.writeFrameThenClose(buffer)
        return size
    }

    /// The flush batch of this connection's event loop, looked up once.
    private func flushBatch(_ loop: EventLoop) -> FlushBatch {
        if let batch { return batch }
        let batch = FlushBatch.of(loop)
        self.batch = batch
        return batch
    }

    private func flushIfNeeded() {
        guard unflushed, let transport else { return }
        unflushed = false
        transport.flushFrames()
    }

    private static let allocator = ByteBufferAllocator()
}
