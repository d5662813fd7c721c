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
    /// Former secrets that still verify signatures until their time: a rotation's grace period.
    /// Kept by the server (not in manifests); webhooks are always signed with `secret`.
    public var retiringSecrets: [RetiringSecret] = []

    /// A former secret and when it stops verifying (seconds since 1970).
    public struct RetiringSecret: Sendable, Equatable {
        public var secret: String
        public var until: Int64

        public init(secret: String, until: Int64) {
            self.secret = secret
            self.until = until
        }
    }

    /// The secrets a signature may be made with at `now` (seconds since 1970): the current one
    /// first, then the retiring ones whose grace has not ended.
    public func verificationSecrets(now: Int64) -> [String] {
        retiringSecrets.isEmpty
            ? [secret] : [secret] + retiringSecrets.filter { $0.until > now && $0.secret != secret }.map(\.secret)
    }

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

    /// Per-app limits; `nil` means unlimited. An absent manifest field takes the default given
    /// here (the README lists them); `null` in a manifest means unlimited. See `App+Limits.swift`.
    public struct Limits: Sendable, Equatable {
        /// Concurrent WebSocket connections on this node; 4004 past it.
        public var maxConnections: Int?
        /// Client events per second per connection; 4301 past it.
        public var clientEventsPerSecond: Int?
        /// HTTP API events per second for the app; 429 past it.
        public var backendEventsPerSecond: Int?
        /// Concurrent WebSocket connections from one IP address; the handshake gets 429 past it.
        public var maxConnectionsPerAddress: Int?
        /// WebSocket handshakes per second from one IP address; 429 past it.
        public var connectionsPerSecondPerAddress: Int?
        /// Channels one connection may be subscribed to at once; `LimitReached` past it.
        public var maxChannelsPerConnection: Int?
        /// Subscribe requests per second per connection (burst: `maxChannelsPerConnection`); 4301 past it.
        public var subscriptionsPerSecond: Int?
        /// HTTP API requests per second for the app other than events (channels, users, terminate); 429.
        public var apiRequestsPerSecond: Int?
        /// Largest event `data` in bytes, from clients (4301) and the HTTP API (413).
        public var maxMessageBytes: Int?
        /// Distinct users per presence channel; the next subscribe gets `LimitReached`.
        public var maxPresenceMembers: Int?
        /// Largest presence `user_info` in bytes; a larger one's subscribe gets `InvalidChannelData`.
        public var maxPresenceInfoBytes: Int?
        /// Close a connection with 4301 when it goes over `clientEventsPerSecond`, instead of only
        /// refusing the event.
        public var disconnectOnAbuse: Bool

        public init(
            maxConnections: Int? = nil, clientEventsPerSecond: Int? = 10, backendEventsPerSecond: Int? = nil,
            maxConnectionsPerAddress: Int? = 1000, connectionsPerSecondPerAddress: Int? = 100,
            maxChannelsPerConnection: Int? = 200, subscriptionsPerSecond: Int? = 100, apiRequestsPerSecond: Int? = nil,
            maxMessageBytes: Int? = 10 * 1024, maxPresenceMembers: Int? = 100, maxPresenceInfoBytes: Int? = 1024,
            disconnectOnAbuse: Bool = false
        ) {
            self.maxConnections = maxConnections
            self.clientEventsPerSecond = clientEventsPerSecond
            self.backendEventsPerSecond = backendEventsPerSecond
            self.maxConnectionsPerAddress = maxConnectionsPerAddress
            self.connectionsPerSecondPerAddress = connectionsPerSecondPerAddress
            self.maxChannelsPerConnection = maxChannelsPerConnection
            self.subscriptionsPerSecond = subscriptionsPerSecond
            self.apiRequestsPerSecond = apiRequestsPerSecond
            self.maxMessageBytes = maxMessageBytes
            self.maxPresenceMembers = maxPresenceMembers
            self.maxPresenceInfoBytes = maxPresenceInfoBytes
            self.disconnectOnAbuse = disconnectOnAbuse
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
