import BelfryManifest
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PusherProtocol
import ServiceLifecycle

/// The status page's sessions, as the admin port needs them: who a request's cookie signs in.
/// The executable supplies it (it knows the applied users and the logout list).
public protocol AdminSessions: Sendable {
    /// The signed-in user, or nil when the request carries no valid session.
    func authenticate(_ request: AdminServer.Request) async -> AdminServer.SignedIn?
}

/// The admin port (127.0.0.1:9601 by default): a small HTTP server whose routes the executable
/// supplies (the status page, `/api/v1/…`, `/internal/v1/…`), so this module stays free of the
/// reconciler. `AdminAccess` and `AdminSessions` decide who may call what before a route runs.
public final class AdminServer: Service, Sendable {
    /// One request as the router sees it.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// The peer's IP address (the proxy's, behind a reverse proxy).
        public var remoteAddress: String = ""
        /// Whether the admin port serves HTTPS (session cookies are then `Secure`).
        public var isTLS = false
        /// The status page user whose session let the request in; nil for open routes and tokens.
        public var signedIn: SignedIn?
        /// Who made the request (a User's API token or session, the admin token); nil for open
        /// routes. Set before the handler runs; what a route records as the change's author.
        public var caller: AdminAccess.Caller?

        public init(
            method: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
            body: [UInt8] = []
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        public func query(_ name: String) -> String? {
            query.first { $0.0 == name }?.1
        }

        /// A cookie's value from the `Cookie` headers; the first when it is sent twice.
        public func cookie(_ name: String) -> String? {
            for (header, value) in headers where header.lowercased() == "cookie" {
                for pair in value.split(separator: ";") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                        return parts[1].trimmingCharacters(in: .whitespaces)
                    }
                }
            }
            return nil
        }
    }

    /// Who a session signed in, and the refreshed cookie to send back (idle expiry slides).
    public struct SignedIn: Sendable, Equatable {
        public var user: String
        public var email: String
        /// The token the page's forms (logout) carry.
        public var csrf: String
        /// A `Set-Cookie` value to add to the response, when the session was refreshed.
        public var setCookie: String?

        public init(user: String, email: String, csrf: String, setCookie: String? = nil) {
            self.user = user
            self.email = email
            self.csrf = csrf
            self.setCookie = setCookie
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: String
        public var contentType: String
        /// Extra headers (`Location`, `Set-Cookie`, …).
        public var headers: [(String, String)]

        public init(
            status: Int = 200, body: String, contentType: String = "application/json",
            headers: [(String, String)] = []
        ) {
            self.status = status
            self.body = body
            self.contentType = contentType
            self.headers = headers
        }

        /// A `303 See Other` to a path of this port.
        public static func redirect(to location: String, headers: [(String, String)] = []) -> Response {
            Response(
                status: 303, body: "", contentType: "text/plain; charset=utf-8",
                headers: [("Location", location)] + headers)
        }
    }

    public typealias Handler = @Sendable (Request) async -> Response

    private let host: String
    private let port: Int
    private let handler: Handler
    private let logger: Logger
    private let access: AdminAccess
    private let sessions: (any AdminSessions)?
    private let users: @Sendable () -> [User]
    private let tls: NIOSSLContext?
    /// Largest request body; a larger one is answered 413, never truncated.
    public static let maxBody = 1 << 20

    /// - Parameters:
    ///   - access: who may call which route (checked before `handler` runs).
    ///   - sessions: who a session cookie signs in; nil: only tokens open the closed routes.
    ///   - users: the applied configuration's Users, read at each request: their `apiTokens`
    ///     open `/api/v1/…`.
    ///   - tls: certificate chain and key files (PEM) to serve HTTPS; nil serves plain HTTP.
    public init(
        host: String, port: Int, logger: Logger, access: AdminAccess, sessions: (any AdminSessions)? = nil,
        users: @escaping @Sendable () -> [User] = { [] }, tls: (cert: String, key: String)? = nil,
        handler: @escaping Handler
    ) throws {
        self.host = host
        self.port = port
        self.logger = logger
        self.handler = handler
        self.access = access
        self.sessions = sessions
        self.users = users
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
        let sessions = self.sessions
        let users = self.users
        let logger = self.logger
        let tls = self.tls
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        AdminHTTPHandler(
                            handler: handler, access: access, sessions: sessions, users: users, logger: logger,
                            isTLS: tls != nil, limit: Self.maxBody))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw ListenError.binding("admin port", host: host, number: port, error)
        }
        let boundPort = channel.localAddress?.port ?? 0
        let shownHost = host.contains(":") ? "[\(host)]" : (host == "0.0.0.0" ? "127.0.0.1" : host)
        logger.info(
            "admin port listening",
            metadata: [
                "address": "\(host):\(boundPort)", "tls": .stringConvertible(tls != nil),
                "status_page": "\(tls == nil ? "http" : "https")://\(shownHost):\(boundPort)/",
            ])
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
    private let sessions: (any AdminSessions)?
    private let users: @Sendable () -> [User]
    private let log: AdminRequestLog
    private let isTLS: Bool
    private let limit: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(
        handler: @escaping AdminServer.Handler, access: AdminAccess, sessions: (any AdminSessions)?,
        users: @escaping @Sendable () -> [User], logger: Logger, isTLS: Bool, limit: Int
    ) {
        self.handler = handler
        self.access = access
        self.sessions = sessions
        self.users = users
        self.log = AdminRequestLog(logger: logger)
        self.isTLS = isTLS
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
            let decision = access.check(method: head.method.rawValue, path: path, target: head.uri, users: users()) {
                headers.first(name: $0)
            }
            let address = context.channel.remoteAddress?.ipAddress ?? ""
            if case .refuse(let refusal) = decision {
                log.refused(
                    method: head.method.rawValue, path: path, refusal: refusal,
                    credential: AdminRequestLog.credential(
                        authorization: headers.first(name: "authorization"), cookie: headers.first(name: "cookie")),
                    address: address)
                Self.write(Self.refusal(refusal), keepAlive: false, channel: context.channel)
                return
            }
            if tooLarge {
                let response = AdminServer.Response(
                    status: 413, body: APIError(413, "Request body larger than \(limit) bytes").body)
                Self.write(response, keepAlive: false, channel: context.channel)
                return
            }
            var request = AdminServer.Request(
                method: head.method.rawValue, path: path, query: QueryString.parse(Substring(query)),
                headers: head.headers.map { ($0.name, $0.value) }, body: body)
            request.remoteAddress = address
            request.isTLS = isTLS
            body = []
            let handler = self.handler
            let sessions = self.sessions
            let log = self.log
            let promise = context.eventLoop.makePromise(of: AdminServer.Response.self)
            promise.completeWithTask {
                switch decision {
                case .allow(let caller):
                    request.caller = caller
                    let response = await handler(request)
                    log.handled(request, status: response.status)
                    return response
                case .needsSession(let otherwise):
                    guard let signedIn = await sessions?.authenticate(request) else {
                        log.refused(
                            method: request.method, path: request.path, refusal: otherwise,
                            credential: AdminRequestLog.credential(
                                authorization: request.header("authorization"), cookie: request.header("cookie")),
                            address: address)
                        return Self.refusal(otherwise)
                    }
                    request.signedIn = signedIn
                    request.caller = .session(user: signedIn.user)
                    var response = await handler(request)
                    log.handled(request, status: response.status)
                    if let cookie = signedIn.setCookie { response.headers.append(("Set-Cookie", cookie)) }
                    return response
                case .refuse(let refusal):
                    return Self.refusal(refusal)
                }
            }
            let keepAlive = head.isKeepAlive
            let channel = context.channel
            promise.futureResult.whenSuccess { response in
                Self.write(response, keepAlive: keepAlive, channel: channel)
            }
        }
    }

    private static func refusal(_ refusal: AdminAccess.Refusal) -> AdminServer.Response {
        if let location = refusal.location { return .redirect(to: location) }
        return AdminServer.Response(status: refusal.status, body: APIError(refusal.status, refusal.message).body)
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
        // Pages load only their own assets, run only their own script and are never framed.
        headers.add(
            name: "Content-Security-Policy",
            value:
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        headers.add(name: "Referrer-Policy", value: "same-origin")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
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
