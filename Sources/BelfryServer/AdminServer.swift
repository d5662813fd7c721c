import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PusherProtocol
import ServiceLifecycle

/// The admin port (127.0.0.1:9601 by default): a small HTTP server whose routes the executable
/// supplies (`/api/v1/…`, `/internal/v1/…`), so this module stays free of the reconciler.
public final class AdminServer: Service, Sendable {
    /// One request as the router sees it.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: String
        public var contentType: String

        public init(status: Int = 200, body: String, contentType: String = "application/json") {
            self.status = status
            self.body = body
            self.contentType = contentType
        }
    }

    public typealias Handler = @Sendable (Request) async -> Response

    private let host: String
    private let port: Int
    private let handler: Handler
    private let logger: Logger
    private let access: AdminAccess
    private let tls: NIOSSLContext?
    /// Largest request body; a larger one is answered 413, never truncated.
    public static let maxBody = 1 << 20

    /// - Parameters:
    ///   - access: who may call which route (checked before `handler` runs).
    ///   - tls: certificate chain and key files (PEM) to serve HTTPS; nil serves plain HTTP.
    public init(
        host: String, port: Int, logger: Logger, access: AdminAccess, tls: (cert: String, key: String)? = nil,
        handler: @escaping Handler
    ) throws {
        self.host = host
        self.port = port
        self.logger = logger
        self.handler = handler
        self.access = access
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.cert).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            self.tls = try NIOSSLContext(
                configuration: TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain, privateKey: .privateKey(key)))
        } else {
            self.tls = nil
        }
    }

    /// Whether the address is reachable only from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let handler = self.handler
        let access = self.access
        let tls = self.tls
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        AdminHTTPHandler(handler: handler, access: access, limit: Self.maxBody))
                }
            }
            .bind(host: host, port: port).get()
        logger.info(
            "admin port listening",
            metadata: ["address": "\(host):\(channel.localAddress?.port ?? 0)", "tls": .stringConvertible(tls != nil)])
        if !Self.isLoopback(host), tls == nil {
            logger.warning(
                "the admin port is reachable beyond this machine without TLS: tokens cross the network in clear",
                metadata: [
                    "address": "\(host)", "fix": "--admin-tls-cert and --admin-tls-key, or --admin-host 127.0.0.1",
                ])
        }
        await ShutdownSignal.wait()
        try? await channel.close()
    }
}

/// Collects one request, runs the async router off the event loop, writes the response back.
final class AdminHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked Sendable: state is only touched on the channel's event loop; the async router
    // result is written back through `eventLoop.execute`.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: AdminServer.Handler
    private let access: AdminAccess
    private let limit: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(handler: @escaping AdminServer.Handler, access: AdminAccess, limit: Int) {
        self.handler = handler
        self.access = access
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(var chunk):
            if body.count + chunk.readableBytes <= limit {
                body += chunk.readBytes(length: chunk.readableBytes) ?? []
            } else {
                tooLarge = true
                body = []
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let (path, query) = Self.split(head.uri)
            let headers = head.headers
            if let refusal = access.check(
                method: head.method.rawValue, path: path, header: { headers.first(name: $0) })
            {
                let response = AdminServer.Response(
                    status: refusal.status, body: APIError(refusal.status, refusal.message).body)
                Self.write(response, keepAlive: false, channel: context.channel)
                return
            }
            if tooLarge {
                let response = AdminServer.Response(
                    status: 413, body: APIError(413, "Request body larger than \(limit) bytes").body)
                Self.write(response, keepAlive: false, channel: context.channel)
                return
            }
            let request = AdminServer.Request(
                method: head.method.rawValue, path: path, query: QueryString.parse(Substring(query)),
                headers: head.headers.map { ($0.name, $0.value) }, body: body)
            body = []
            let handler = self.handler
            let promise = context.eventLoop.makePromise(of: AdminServer.Response.self)
            promise.completeWithTask { await handler(request) }
            let keepAlive = head.isKeepAlive
            let channel = context.channel
            promise.futureResult.whenSuccess { response in
                Self.write(response, keepAlive: keepAlive, channel: channel)
            }
        }
    }

    private static func split(_ uri: String) -> (String, String) {
        guard let q = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<q]), String(uri[uri.index(after: q)...]))
    }

    private static func write(_ response: AdminServer.Response, keepAlive: Bool, channel: Channel) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: response.status), headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        channel.write(
            HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(string: response.body))), promise: nil)
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
