/// One Pusher application as the server runs it: the decoded `kind: App` manifest with its
/// secret resolved. Immutable; a configuration change builds a new value.
public struct App: Sendable, Equatable {
    /// `metadata.name`: the identity of the manifest (unique among Apps).
    public var name: String
    /// Pusher `app_id`, used in HTTP API paths.
    public var id: String
    /// Pusher app key, used in `/app/{key}` and `auth_key`.
    public var key: String
    /// The resolved HMAC secret.
    public var secret: String
    /// `false`: new connections are refused with 4003 and HTTP API calls answer 403.
    public var enabled: Bool
    /// Origin host patterns (`*`, `example.com`, `*.example.com`); empty means any origin.
    public var allowedOrigins: [String]
    /// Whether `client-*` events are accepted on private and presence channels.
    public var clientEvents: Bool
    /// Whether a connection must sign in (or subscribe to a private channel) within a timeout.
    public var userAuthentication: Bool
    public var limits: Limits
    public var webhooks: [Webhook]

    public init(
        name: String, id: String, key: String, secret: String, enabled: Bool = true,
        allowedOrigins: [String] = [], clientEvents: Bool = false, userAuthentication: Bool = false,
        limits: Limits = Limits(), webhooks: [Webhook] = []
    ) {
        self.name = name
        self.id = id
        self.key = key
        self.secret = secret
        self.enabled = enabled
        self.allowedOrigins = allowedOrigins
        self.clientEvents = clientEvents
        self.userAuthentication = userAuthentication
        self.limits = limits
        self.webhooks = webhooks
    }

    /// Per-app limits; `nil` means unlimited.
    public struct Limits: Sendable, Equatable {
        /// Concurrent WebSocket connections on this node; 4004 past it.
        public var maxConnections: Int?
        /// Client events per second per connection; 4301 past it.
        public var clientEventsPerSecond: Int?
        /// HTTP API events per second for the app; 429 past it.
        public var backendEventsPerSecond: Int?

        public init(maxConnections: Int? = nil, clientEventsPerSecond: Int? = 10, backendEventsPerSecond: Int? = nil) {
            self.maxConnections = maxConnections
            self.clientEventsPerSecond = clientEventsPerSecond
            self.backendEventsPerSecond = backendEventsPerSecond
        }
    }

    /// A webhook endpoint: the events it receives, which channels' events, extra request
    /// headers, and whether several events share one request.
    public struct Webhook: Sendable, Equatable {
        public var url: String
        public var events: [String]
        /// Only events of channels with this prefix and suffix (events without a channel, the
        /// connection ones, always pass).
        public var filter: Filter
        /// Extra request headers, in manifest order (never Content-Type, Host or X-Pusher-*).
        public var headers: [Header]
        /// Several events per request (`connection_opened` / `connection_closed` always are).
        public var batch: Bool

        public init(
            url: String, events: [String], filter: Filter = Filter(), headers: [Header] = [], batch: Bool = false
        ) {
            self.url = url
            self.events = events
            self.filter = filter
            self.headers = headers
            self.batch = batch
        }

        public struct Filter: Sendable, Equatable {
            public var channelPrefix: String?
            public var channelSuffix: String?

            public init(channelPrefix: String? = nil, channelSuffix: String? = nil) {
                self.channelPrefix = channelPrefix
                self.channelSuffix = channelSuffix
            }

            /// Whether an event of `channel` (nil: not a channel event) passes.
            public func admits(channel: String?) -> Bool {
                guard let channel else { return true }
                return channel.hasPrefix(channelPrefix ?? "") && channel.hasSuffix(channelSuffix ?? "")
            }

            public var isEmpty: Bool { channelPrefix == nil && channelSuffix == nil }
        }

        public struct Header: Sendable, Equatable {
            public var name: String
            public var value: String

            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }
    }
}
