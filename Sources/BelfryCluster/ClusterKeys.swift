/// The names of every Redis key and channel of one deployment, all under its prefix
/// (`--redis-prefix`, default `belfry`), so several deployments can share one Redis.
///
/// Per channel (app id and channel name in the key; neither can hold a `:`):
/// - `P:ch:APP:CH`       hash node id → that node's subscriptions (their sum is the channel's)
/// - `P:pm:APP:CH`       hash user id → connections of that user on every node
/// - `P:pi:APP:CH`       hash user id → `user_info` (JSON text)
/// - `P:pn:APP:CH:NODE`  hash user id → that node's connections of the user
/// - `P:cm:APP:CH`       set once `cache_miss` was sent for the current occupancy
/// - `P:cache:APP:CH`    a cache channel's last event (`ClusterCacheEntry.stored`), expiring
///                       after `--cache-ttl`: what a node that has no copy of its own replays
/// Per app: `P:chans:APP`, the set of occupied channels, and `P:cidx:APP`, the zset of its
/// channels in `P:cache:…` → when they expire (Redis time in ms), which bounds how many an app
/// keeps (`ClusterScript.cacheSet`). Per node: `P:node:NODE` (its heartbeat,
/// expiring), `P:idx:NODE` (the set of `APP\nCH` it holds a share of), `P:reap:NODE` (the lock
/// of whoever reaps it). Cluster-wide: `P:nodes` (zset node id → last heartbeat, Redis time in
/// ms), `P:due` (zset of delayed webhook events → when they are due), the pub/sub channel
/// `P:bus`, and the shared credentials: `P:secrets` (hash app name → its generated secret),
/// `P:retiring` (hash `APP\nSECRET` → until, seconds since 1970, for rotated secrets in grace)
/// and `P:forgotten` (hash app name → when its secrets were forgotten, until a new one is agreed).
public struct ClusterKeys: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String) { self.prefix = prefix }

    public var bus: String { prefix + ":bus" }
    public var nodes: String { prefix + ":nodes" }
    public var due: String { prefix + ":due" }
    public var secrets: String { prefix + ":secrets" }
    public var retiring: String { prefix + ":retiring" }
    public var forgotten: String { prefix + ":forgotten" }
    public func node(_ id: String) -> String { prefix + ":node:" + id }
    public func index(_ id: String) -> String { prefix + ":idx:" + id }
    public func reapLock(_ id: String) -> String { prefix + ":reap:" + id }
    public func occupied(app: String) -> String { prefix + ":chans:" + app }
    public func subscriptions(app: String, channel: String) -> String { prefix + ":ch:" + app + ":" + channel }
    public func members(app: String, channel: String) -> String { prefix + ":pm:" + app + ":" + channel }
    public func memberInfo(app: String, channel: String) -> String { prefix + ":pi:" + app + ":" + channel }
    public func nodeMembers(app: String, channel: String, node: String) -> String {
        prefix + ":pn:" + app + ":" + channel + ":" + node
    }
    public func cacheMiss(app: String, channel: String) -> String { prefix + ":cm:" + app + ":" + channel }
    public func cache(app: String, channel: String) -> String { cachePrefix(app: app) + channel }
    /// The part of `cache(app:channel:)` before the channel's name.
    public func cachePrefix(app: String) -> String { prefix + ":cache:" + app + ":" }
    public func cacheIndex(app: String) -> String { prefix + ":cidx:" + app }

    /// A prefix is 1 to 64 of letters, digits, `_`, `-` and `.`: it is part of every key name.
    public static func isValidPrefix(_ prefix: String) -> Bool {
        !prefix.isEmpty && prefix.utf8.count <= 64
            && prefix.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2D || byte == 0x2E
            }
    }
}
