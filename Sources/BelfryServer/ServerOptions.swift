import Glibc

/// Settings of the public server that are not per app.
public struct ServerOptions: Sendable {
    public var host: String = "0.0.0.0"
    public var port: Int = 6001
    /// Announced as `activity_timeout`; the server pings after this long without inbound frames.
    public var activityTimeout: Int = 120
    /// How long the server waits for any frame after its `pusher:ping` before closing with 4201.
    public var pongTimeout: Int = 30
    /// For apps with `userAuthentication`: time allowed to sign in or subscribe privately (4009).
    public var userAuthenticationTimeout: Int = 30
    /// How long a cache channel keeps its last event, in seconds.
    public var cacheTTL: Int = 1800
    /// How long a graceful shutdown waits for connections to close, in seconds.
    public var shutdownGracePeriod: Double = 10
    /// Bytes a slow subscriber may have queued beyond the socket's high-water mark before it is
    /// closed (4100) instead of being waited for.
    public var maxOutboundBacklog: Int = 1 << 20
    /// Largest WebSocket message accepted from a client.
    public var maxFrameSize: Int = 1 << 16
    /// Largest HTTP request body accepted (413 past it).
    public var maxRequestBody: Int = 1 << 20
    /// An HTTP connection (not yet a WebSocket) is closed after this many seconds without a byte
    /// from the client: an idle keep-alive connection, or a request that stopped half-way.
    public var httpIdleTimeout: Double = 60
    /// Cache channels whose last event one app keeps; past it, expired entries are swept and then
    /// the oldest is dropped.
    public var maxCacheEntriesPerApp: Int = 10_000
    /// Descriptors kept free for the admin port, health probes, the database and git: the public
    /// port stops upgrading WebSockets at `limit - reserve`, only answers probes past
    /// `limit - reserve/2` and closes new sockets past `limit - reserve/4` (see `DescriptorBudget`).
    public var descriptorReserve: Int = 128
    /// Event-loop threads; 0 means one per core.
    public var threads: Int = 0
    /// What serves the public port's sockets (`belfry serve` picks `Engine.automatic`).
    public var engine: Engine = .nio

    public enum Engine: String, Sendable, CaseIterable {
        /// SwiftNIO's channels serve every socket.
        case nio
        /// The public port is served by BelfryEpoll's loops (`threads` of them, besides NIO's,
        /// which run the admin port and the rest), without NIO's channel layer (`EpollFront`).
        case epoll

        /// `--engine auto`: epoll wherever it can listen (an IPv4 address), NIO otherwise (an
        /// IPv6 address or a host name).
        public static func automatic(host: String) -> Engine {
            epollCanListen(on: host) ? .epoll : .nio
        }

        /// BelfryEpoll listens on an IPv4 address in dotted form only.
        static func epollCanListen(on host: String) -> Bool {
            var address = in_addr()
            return inet_pton(AF_INET, host, &address) == 1
        }
    }

    /// `POST /hooks/git`: the shared secret and what to do when a git host calls (trigger a
    /// reconcile pass). Nil: the endpoint answers 404.
    public var gitHook: GitHook?
    /// Where webhook events go (after the 3 s vacate/remove delay); nil: none are raised.
    public var webhookSink: (any WebhookSink)?
    /// The other nodes, through Redis (`--redis-url`); nil: this node runs alone.
    public var cluster: (any ClusterLink)?
    /// `/readyz` checks the executable adds after the server's own (the reconciler, the
    /// database, the statistics writer).
    public var readinessChecks: [Readiness.Check] = []

    public init() {}

    /// The git webhook receiver's configuration.
    public struct GitHook: Sendable {
        public var secret: String
        /// Called with the provider name (`github`, `gitlab`, `generic`) after a valid call.
        public var trigger: @Sendable (String) -> Void

        public init(secret: String, trigger: @escaping @Sendable (String) -> Void) {
            self.secret = secret
            self.trigger = trigger
        }
    }
}
