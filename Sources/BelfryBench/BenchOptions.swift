/// Everything a bench run needs, as plain values, so the CLI and tests build runs the same way.
public struct BenchOptions: Sendable, Equatable {
    /// Base URL of the server (`http://host:port`); the WebSocket URL is derived from it. The
    /// publishers always connect here; the subscribers too unless `subscribeURLs` names others.
    public var url = "http://127.0.0.1:6001"
    /// Base URLs the subscribers connect to instead of `url` (a cluster's nodes); empty: `url`.
    /// See `ChannelLayout.target(ofConnection:targets:)` for which connection goes where.
    public var subscribeURLs: [String] = []
    public var appID = "app-id"
    public var key = "app-key"
    public var secret = "app-secret"
    public var protocolKind: BenchProtocol = .pusher
    /// Subscriber connections (N).
    public var connections = 1000
    /// Channels the subscribers are spread over (G); connection i joins channel i % G.
    public var channels = 1
    public var channelPrefix = "bench"
    /// Maximum WebSocket handshakes in flight.
    public var connectConcurrency = 500
    /// Events to publish (M); message j goes to channel j % G.
    public var messages = 2000
    /// Messages per second over all publishers; 0 publishes flat out.
    public var rate: Double = 0
    /// Keep-alive HTTP/1.1 publisher connections (K).
    public var publishers = 1
    /// Pipelined requests in flight per publisher connection (D).
    public var depth = 1
    /// Seconds to keep the idle connections open once all are ready, before publishing.
    public var hold: Double = 0
    /// The servers' pids, to sample their RSS and CPU from /proc; the first one gives the
    /// report's server figures, the others are reported after it (a cluster's other nodes).
    public var serverPIDs: [Int32] = []
    /// Hard bound on the whole run, in seconds.
    public var timeLimit: Double = 60
    /// Bound on one connection's handshake (connect, upgrade, subscribe), in seconds.
    public var connectTimeout: Double = 10
    /// With an `https://` URL: accept any server certificate (self-signed test deployments).
    public var insecure = false
    /// Seconds without a new frame, after the last publish response, before missing frames count as lost.
    public var drain: Double = 2
    /// Client event loop threads.
    public var threads = 1

    public init() {}

    /// The channel layout these options describe.
    public var layout: ChannelLayout { ChannelLayout(prefix: channelPrefix, count: channels) }

    /// The URLs subscribers connect to, in order: `subscribeURLs`, or `url` alone.
    public var subscriberTargets: [String] { subscribeURLs.isEmpty ? [url] : subscribeURLs }
}
