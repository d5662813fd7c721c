import NIOCore
import NIOHTTP1
import PusherProtocol

/// Serves plain HTTP requests on the public port: health, readiness and the Pusher HTTP API.
/// Bodies are collected up to `maxRequestBody`; a larger one is answered 413 and the
/// connection closed.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let context: ServerContext
    private let api: PusherAPI
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var oversized = false

    init(context: ServerContext) {
        self.context = context
        self.api = PusherAPI(context: context)
    }

    func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
            self.oversized = false
        case .body(var chunk):
            guard !oversized else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > context.options.maxRequestBody {
                oversized = true
                body = nil
                return
            }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let response: HTTPResponse
            if oversized {
                response = .json(
                    APIError.tooLarge("Request body larger than \(context.options.maxRequestBody) bytes").body,
                    status: 413)
            } else {
                var buffer = body ?? ByteBuffer()
                let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                response = route(head, bytes)
            }
            body = nil
            write(response, keepAlive: head.isKeepAlive && !oversized, context: channelContext)
        }
    }

    private func route(_ head: HTTPRequestHead, _ body: [UInt8]) -> HTTPResponse {
        let uri = head.uri
        let path: Substring
        let query: Substring
        if let q = uri.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = uri[..<q]
            query = uri[uri.utf8.index(after: q)...]
        } else {
            path = uri[...]
            query = ""
        }
        switch (head.method, path) {
        case (.POST, "/hooks/git"):
            return gitHook(head, body)
        case (.GET, "/healthz"):
            return .json("{\"status\":\"ok\"}")
        case (.GET, "/readyz"):
            let (ready, body) = Readiness.evaluate(
                phase: context.currentPhase, apps: context.store.current.apps.count,
                extra: context.options.readinessChecks)
            return .json(body, status: ready ? 200 : 503)
        default:
            if path.hasPrefix("/apps/") {
                let request = HTTPRequest(
                    method: head.method.rawValue, path: String(path), query: QueryString.parse(query), body: body)
                return api.handle(request)
            }
            if path.hasPrefix("/app/") {
                return .json(APIError(400, "WebSocket upgrade expected on \(path)").body, status: 400)
            }
            return .json(APIError.notFound("No route for \(head.method.rawValue) \(path)").body, status: 404)
        }
    }

    /// Verifies a git host's webhook and triggers a reconcile pass; it carries no state.
    private func gitHook(_ head: HTTPRequestHead, _ body: [UInt8]) -> HTTPResponse {
        guard let hook = context.options.gitHook else {
            return .json(APIError.notFound("The git webhook is not configured (--webhook-secret)").body, status: 404)
        }
        switch GitHookSignature.verify(body: body, secret: hook.secret, header: { head.headers.first(name: $0) }) {
        case .accepted(let provider):
            hook.trigger(provider)
            return .json("{\"triggered\":true}", status: 202)
        case .rejected(let reason):
            context.logger.warning("git webhook refused", metadata: ["reason": "\(reason)"])
            return .json(APIError.unauthorized(reason).body, status: 401)
        }
    }

    private func write(_ response: HTTPResponse, keepAlive: Bool, context channelContext: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        channelContext.write(wrapOutboundOut(.head(head)), promise: nil)
        channelContext.write(
            wrapOutboundOut(.body(.byteBuffer(channelContext.channel.allocator.buffer(string: response.body)))),
            promise: nil)
        let done = channelContext.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = channelContext.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context channelContext: ChannelHandlerContext, error: Error) {
        context.logger.debug("http error", metadata: ["error": "\(error)"])
        channelContext.close(promise: nil)
    }
}
