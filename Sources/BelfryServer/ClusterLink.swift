import BelfryJSON

/// What one node tells the others to deliver to their own sockets (the sender has delivered to
/// its own already). Encoded once per event, decoded once per node (`BelfryCluster`).
public enum ClusterMessage: Sendable, Equatable {
    /// An encoded frame for the subscribers of `channel`, except the socket `except`; on a cache
    /// channel, the event to keep as its last one.
    case channel(appID: String, channel: String, except: String?, frame: [UInt8], cache: ClusterCacheEntry?)
    /// An encoded frame for every connection signed in as `userID` (`#server-to-user-…`).
    case user(appID: String, userID: String, except: String?, frame: [UInt8])
    /// `terminate_connections`: close every connection signed in as `userID` with 4009.
    case terminate(appID: String, userID: String)
    /// A presence member's first connection anywhere (`joined`, with its `user_info` as JSON
    /// text) or last: `member_added` / `member_removed` for the subscribers of `channel`, each
    /// passed through what that subscriber was told already.
    case member(appID: String, channel: String, userID: String, info: String?, joined: Bool)
}

/// A cache channel's last event, carried with the frame so every node can replay it.
public struct ClusterCacheEntry: Sendable, Equatable {
    public var event: String
    public var data: String

    public init(event: String, data: String) {
        self.event = event
        self.data = data
    }
}

/// The cluster's answer to a presence join.
public enum ClusterJoin: Sendable {
    /// Joined: the channel's members on every node (user id, `user_info` as JSON text).
    case joined(roster: [(id: String, info: String?)])
    /// The channel already has `maxPresenceMembers` users cluster-wide.
    case full
    /// The link to Redis is down: answer from this node's roster (the cluster learns of the
    /// join when the link is back).
    case local
}

/// Subscription and user counts of one channel across the cluster.
public struct ClusterChannelCounts: Sendable, Equatable {
    public var subscriptionCount: Int
    public var userCount: Int

    public init(subscriptionCount: Int, userCount: Int) {
        self.subscriptionCount = subscriptionCount
        self.userCount = userCount
    }
}

/// Why the cluster could not answer a query: the HTTP API then answers 503.
public struct ClusterUnavailable: Error, Sendable {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }
}

/// How the server reaches the other nodes; nil when it runs alone (`--redis-url` unset).
///
/// Every method returns at once (no I/O under a caller's lock or on its thread): state changes
/// are recorded and synced in the background, answers come back through the callbacks on an
/// arbitrary thread.
public protocol ClusterLink: AnyObject, Sendable {
    /// Whether the link to Redis is up now.
    var isConnected: Bool { get }
    /// A local channel's subscriptions (and, for `userID`, that user's presence) changed: the
    /// node's share of it is written to Redis, which decides occupied / vacated and first / last
    /// member cluster-wide and tells this node what to announce.
    func channelChanged(appID: String, channel: String, userID: String?)
    /// A presence join already recorded locally (and reported by `channelChanged`): `reply` gets
    /// the cluster's roster, or `.full`, once Redis has it.
    func join(
        appID: String, channel: String, userID: String, maxMembers: Int?,
        _ reply: @escaping @Sendable (ClusterJoin) -> Void)
    /// Sends `message` to the other nodes (one publish, fire and forget).
    func broadcast(_ message: ClusterMessage)
    /// `cache_miss` is sent once per occupancy of a channel cluster-wide: whether this node
    /// should send it.
    func claimCacheMiss(appID: String, channel: String, _ reply: @escaping @Sendable (Bool) -> Void)
    /// A cache channel's last event as the cluster keeps it, and the milliseconds it has left, for
    /// a node that has no copy of its own; nil when there is none or Redis cannot say.
    func cachedEvent(
        appID: String, channel: String,
        _ reply: @escaping @Sendable ((entry: ClusterCacheEntry, remainingMs: Int)?) -> Void)
    /// Connections of the app on the other live nodes, as of their last heartbeat.
    func remoteConnections(appID: String) -> Int
    /// Counts of the named channels (zero for an unoccupied one).
    func counts(
        appID: String, channels: [String],
        _ reply: @escaping @Sendable (Result<[String: ClusterChannelCounts], ClusterUnavailable>) -> Void)
    /// Occupied channels whose name starts with `prefix`, with their counts.
    func occupiedChannels(
        appID: String, prefix: String,
        _ reply: @escaping @Sendable (Result<[String: ClusterChannelCounts], ClusterUnavailable>) -> Void)
    /// User ids of a presence channel's members on every node.
    func users(
        appID: String, channel: String, _ reply: @escaping @Sendable (Result<[String], ClusterUnavailable>) -> Void)
    /// `/readyz`'s `cluster` check: the link, this node and the nodes it sees.
    func readiness() -> Readiness.Outcome
}
