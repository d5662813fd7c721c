import BelfryJSON
import NIOConcurrencyHelpers
import NIOCore
import PusherProtocol

/// The shared runtime state of one app on this node: connections, channels, presence rosters,
/// signed-in users, watchlists and cache channels. Every method takes the lock for a short,
/// non-blocking critical section; messages are encoded once and fanned out after unlocking.
///
/// `@unchecked Sendable`: all mutable state is in `state`, guarded by `lock`.
final class AppHub: @unchecked Sendable {
    let appID: String
    /// This app's counters for statistics and metrics.
    let counters = AppCounters()
    private let loops: Int
    private let lock = NIOLock()
    private var state = State()
    var loopCount: Int { loops }
    private static let allocator = ByteBufferAllocator()

    /// The app secret prepared for request signatures, rebuilt when the secret changes.
    private let signingKeyBox = NIOLockedValueBox<SigningKey?>(nil)

    func signingKey(for secret: String) -> SigningKey {
        signingKeyBox.withLockedValue { cached in
            if let key = cached, key.secret == secret { return key }
            let key = SigningKey(secret: secret)
            cached = key
            return key
        }
    }

    /// Runs `body` with the locked state; for the extensions in other files.
    func withState<T>(_ body: (inout State) -> T) -> T {
        lock.withLock { body(&state) }
    }

    struct State {
        var connections: [ObjectIdentifier: Connection] = [:]
        var channels: [String: ChannelState] = [:]
        var users: [String: [ObjectIdentifier: Connection]] = [:]
        /// Watched user id → connections whose watchlist contains it.
        var watchers: [String: [ObjectIdentifier: Connection]] = [:]
        /// Watchlist events decided but not yet handed to the watchers' loops, in the order of the
        /// sign-ins and sign-outs that made them (`AppHub+Users.swift`).
        var watchNotices: [WatchNotice] = []
        /// Whether some thread is handing `watchNotices` over (one at a time keeps their order).
        var watchNoticesDraining = false
        var cache: [String: CachedEvent] = [:]
        /// The app's HTTP API budgets (`AppHub+Limits.swift`).
        var apiBuckets: [AppHub.APIBudget: TokenBucket] = [:]
        /// Refusals logged per limit at most once a second.
        var limitLogs: [String: LogThrottle] = [:]
    }

    /// Where this app's webhook events go; nil when the server has no sink.
    let webhooks: WebhookDispatcher?
    /// The other nodes. When set, occupancy and presence are decided cluster-wide: this hub
    /// reports its changes (`channelChanged`) and announces nothing itself (`HubRegistry`).
    let cluster: (any ClusterLink)?

    init(appID: String, loops: Int, webhooks: WebhookDispatcher? = nil, cluster: (any ClusterLink)? = nil) {
        self.appID = appID
        self.loops = loops
        self.webhooks = webhooks
        self.cluster = cluster
    }

    /// Raises webhook events built by `make` when the app wants events of `name` (nothing is
    /// built otherwise).
    func raise(_ name: WebhookEvent.Name, _ make: (Int64) -> [WebhookEvent]) {
        guard let webhooks, webhooks.wants(name, appID: appID) else { return }
        webhooks.raise(appID: appID, make(WebhookEvent.nowMs))
    }

    static func payload(_ text: String) -> ByteBuffer { allocator.buffer(string: text) }

    // MARK: Connections

    /// Admits a connection unless the app is at `maxConnections`: on this node plus, in a
    /// cluster, on the others as of their last heartbeat.
    func admit(_ connection: Connection, maxConnections: Int?) -> Bool {
        let elsewhere = maxConnections == nil ? 0 : cluster?.remoteConnections(appID: appID) ?? 0
        let admitted: (Int, Int)? = lock.withLock {
            if let maxConnections, state.connections.count + elsewhere >= maxConnections { return nil }
            state.connections[ObjectIdentifier(connection)] = connection
            return (state.connections.count, state.channels.count)
        }
        guard let (connections, channels) = admitted else { return false }
        counters.newConnections.wrappingIncrement(ordering: .relaxed)
        counters.observe(connections: connections, channels: channels)
        return true
    }

    /// Forgets a closed connection: leaves its channels (announcing `member_removed` where it
    /// was the user's last connection) and signs it out (announcing `offline` to watchers).
    func remove(_ connection: Connection, subscriptions: [String: String?]) {
        for (channel, presenceUser) in subscriptions {
            unsubscribe(connection, channel: channel, presenceUserID: presenceUser)
        }
        signout(connection)
        _ = lock.withLock { state.connections.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    var connectionCount: Int { lock.withLock { state.connections.count } }

    /// Counters with the current connection and channel counts.
    func statistics(resetPeaks: Bool) -> AppCounters.Snapshot {
        let (connections, channels) = lock.withLock { (state.connections.count, state.channels.count) }
        return counters.snapshot(connections: connections, channels: channels, resetPeaks: resetPeaks)
    }
    var allConnections: [Connection] { lock.withLock { Array(state.connections.values) } }

    // MARK: Channels

    func subscribe(_ connection: Connection, channel: String) {
        let (channels, subscribers): (Int, Int) = lock.withLock {
            _ = state.channels[channel, default: ChannelState(loops: loops, presence: false)].insert(connection)
            return (state.channels.count, state.channels[channel]?.subscriptionCount ?? 0)
        }
        counters.subscriptions.wrappingIncrement(ordering: .relaxed)
        counters.observe(connections: 0, channels: channels)
        if let cluster { return cluster.channelChanged(appID: appID, channel: channel, userID: nil) }
        if subscribers == 1 {
            raise(.channelOccupied) { [WebhookEvent(.channelOccupied, channel: channel, timeMs: $0)] }
        }
        raise(.subscriptionCount) {
            [WebhookEvent(.subscriptionCount, channel: channel, subscriptionCount: subscribers, timeMs: $0)]
        }
    }

    enum PresenceJoin {
        case joined(members: [(id: String, info: JSONValue?)])
        case full
    }

    /// Adds a presence subscription (unless `maxMembers` distinct users are in) and announces `member_added` if it is the user's first.
    func joinPresence(
        _ connection: Connection, channel: String, member: PresenceMember, maxMembers: Int? = PresenceRoster.maxMembers
    ) -> PresenceJoin {
        let (outcome, members, groups):
            (PresenceRoster.JoinOutcome, [(id: String, info: JSONValue?)], [ContiguousArray<Connection>]) =
                lock.withLock {
                    // In place through the dictionary subscript: a copy of the channel state would
                    // duplicate its subscriber arrays on every join.
                    let joined = state.channels[channel, default: ChannelState(loops: loops, presence: true)]
                        .join(connection, member: member, maxMembers: maxMembers)
                    if state.channels[channel]?.subscriptionCount == 0 { state.channels[channel] = nil }
                    return joined
                }
        if outcome == .full { return .full }
        counters.subscriptions.wrappingIncrement(ordering: .relaxed)
        // In a cluster the session reports the join (`ClusterLink.join`) and announces nothing.
        if cluster != nil { return .joined(members: members) }
        if members.count == 1, outcome == .firstConnection {
            raise(.channelOccupied) { [WebhookEvent(.channelOccupied, channel: channel, timeMs: $0)] }
        }
        if outcome == .firstConnection {
            raise(.memberAdded) { [WebhookEvent(.memberAdded, channel: channel, userID: member.userID, timeMs: $0)] }
        }
        if !groups.isEmpty {
            let added = ServerMessage.memberAdded(channel: channel, userID: member.userID, userInfo: member.userInfo)
            FanOut.deliver(Self.payload(added), to: groups, except: connection.socketID)
        }
        return .joined(members: members)
    }

    /// The current roster of a presence channel, for a repeated subscribe.
    func presenceMembers(channel: String) -> [(id: String, info: JSONValue?)] {
        lock.withLock { state.channels[channel]?.roster?.members ?? [] }
    }

    /// Removes a subscription; announces `member_removed` when the user's last connection leaves.
    func unsubscribe(_ connection: Connection, channel: String, presenceUserID: String?) {
        let left: (groups: [ContiguousArray<Connection>], lastOfUser: Bool, remaining: Int)? = lock.withLock {
            // In place, at the channel's index: copying the channel state out and back would
            // duplicate its subscriber array on every unsubscribe, which made a mass disconnect
            // from one channel quadratic. Not through `channels[channel]?.…`: that optional
            // subscript's modify accessor allocated three coroutine frames per call (a third of
            // what a connection's close allocated).
            guard let index = state.channels.index(forKey: channel), state.channels.values[index].remove(connection)
            else { return nil }
            var lastOfUser = false
            if let presenceUserID {
                lastOfUser = state.channels.values[index].roster?.leave(userID: presenceUserID) ?? false
            }
            let remaining = state.channels.values[index].subscriptionCount
            if remaining == 0 {
                state.channels.remove(at: index)
                return ([], lastOfUser, 0)
            }
            return (lastOfUser ? state.channels.values[index].groups : [], lastOfUser, remaining)
        }
        guard let left else { return }
        if let cluster { return cluster.channelChanged(appID: appID, channel: channel, userID: presenceUserID) }
        if let presenceUserID, !left.groups.isEmpty {
            FanOut.deliver(
                Self.payload(ServerMessage.memberRemoved(channel: channel, userID: presenceUserID)), to: left.groups)
        }
        if let presenceUserID, left.lastOfUser {
            raise(.memberRemoved) {
                [WebhookEvent(.memberRemoved, channel: channel, userID: presenceUserID, timeMs: $0)]
            }
        }
        if presenceUserID == nil {
            raise(.subscriptionCount) {
                [WebhookEvent(.subscriptionCount, channel: channel, subscriptionCount: left.remaining, timeMs: $0)]
            }
        }
        if left.remaining == 0 {
            raise(.channelVacated) { [WebhookEvent(.channelVacated, channel: channel, timeMs: $0)] }
        }
    }

    /// Sends the message to every subscriber of `channel` except the socket `except`; `encode`
    /// runs only when there is a subscriber, so an event for an empty channel costs no encoding.
    /// Returns the number of subscribers it went to (the sender included when subscribed).
    @discardableResult
    func publish(
        channel: String, except: String?, receipt: FanOut.Receipt? = nil, encode: () -> ByteBuffer
    ) -> Int {
        let groups = lock.withLock { state.channels[channel]?.groups }
        guard let groups else { return 0 }
        FanOut.deliver(encode(), to: groups, except: except, counters: counters, receipt: receipt)
        return groups.reduce(0) { $0 + $1.count }
    }

    // MARK: Cache channels

    /// Keeps the last event of a cache channel. At `maxEntries` the expired entries (older than
    /// `ttl` nanoseconds) are swept, and if none was, the oldest is dropped: a client creating
    /// channels without end cannot grow the cache without bound.
    func storeCache(channel: String, event: String, data: String, now: UInt64, ttl: UInt64, maxEntries: Int) {
        lock.withLock {
            insertCache(
                channel, CachedEvent(event: event, data: data, storedAt: now), now: now, ttl: ttl,
                maxEntries: maxEntries)
        }
    }

    /// Keeps a cache channel's last event fetched from the cluster (this node had no copy), so
    /// that the next subscribers get it without asking again: it expires when the cluster's copy
    /// does, `remaining` nanoseconds from `now`. An event stored meanwhile (it arrived live, and
    /// is as new or newer) is kept instead, and so is one fetched by another subscriber's replay.
    /// Bounded as `storeCache`.
    func keepFetchedCache(
        channel: String, event: String, data: String, remaining: UInt64, now: UInt64, ttl: UInt64, maxEntries: Int
    ) {
        lock.withLock {
            if let entry = state.cache[channel], now &- entry.storedAt < ttl { return }
            let storedAt = now &- (ttl - min(remaining, ttl))
            insertCache(
                channel, CachedEvent(event: event, data: data, storedAt: storedAt, fetched: true), now: now, ttl: ttl,
                maxEntries: maxEntries)
        }
    }

    /// Under the lock.
    private func insertCache(_ channel: String, _ entry: CachedEvent, now: UInt64, ttl: UInt64, maxEntries: Int) {
        if state.cache[channel] == nil, state.cache.count >= maxEntries {
            state.cache = state.cache.filter { now &- $0.value.storedAt < ttl }
            if state.cache.count >= maxEntries,
                let oldest = state.cache.min(by: { $0.value.storedAt < $1.value.storedAt })?.key
            {
                state.cache[oldest] = nil
            }
        }
        state.cache[channel] = entry
    }

    var cacheCount: Int { lock.withLock { state.cache.count } }

    /// The cached event of `channel` if younger than `ttl` nanoseconds, with its remaining ttl.
    func cached(channel: String, ttl: UInt64, now: UInt64) -> (CachedEvent, remaining: UInt64)? {
        lock.withLock {
            guard let entry = state.cache[channel] else { return nil }
            let age = now &- entry.storedAt
            guard age < ttl else {
                state.cache[channel] = nil
                return nil
            }
            return (entry, ttl - age)
        }
    }

    // MARK: HTTP API queries

    struct ChannelCounts {
        var subscriptionCount: Int
        var userCount: Int?
    }

    func counts(channel: String) -> ChannelCounts? {
        lock.withLock {
            state.channels[channel].map {
                ChannelCounts(subscriptionCount: $0.subscriptionCount, userCount: $0.roster?.userCount)
            }
        }
    }

    /// Occupied channels whose name starts with `prefix`, sorted by name.
    func occupiedChannels(prefix: String) -> [(String, ChannelCounts)] {
        lock.withLock {
            state.channels.compactMap { name, channelState in
                guard name.hasPrefix(prefix), channelState.subscriptionCount > 0 else { return nil }
                return (
                    name,
                    ChannelCounts(
                        subscriptionCount: channelState.subscriptionCount, userCount: channelState.roster?.userCount)
                )
            }
        }.sorted { $0.0 < $1.0 }
    }

    /// A member event decided by the cluster, to every subscriber of `channel` on this node
    /// through what each was told (`Connection.tell`).
    func announceMember(channel: String, userID: String, info: JSONValue?, joined: Bool) {
        let groups = lock.withLock { state.channels[channel]?.groups } ?? []
        let event = MemberEvent(
            userID: userID, joined: joined,
            frame: joined
                ? ServerMessage.memberAdded(channel: channel, userID: userID, userInfo: info)
                : ServerMessage.memberRemoved(channel: channel, userID: userID))
        eachSubscriber(groups) { $0.tell(event, channel: channel) }
    }

    /// Sends every subscriber of a presence channel on this node the roster again, as what it
    /// knows (`Connection.tellRoster`).
    func refreshRoster(channel: String, members: [(id: String, info: JSONValue?)]) {
        let groups = lock.withLock { state.channels[channel]?.groups } ?? []
        let frame = ServerMessage.subscriptionSucceeded(
            channel: channel, data: ServerMessage.presenceData(members: members))
        let ids = members.map(\.id)
        eachSubscriber(groups) { $0.tellRoster(channel: channel, ids: ids, frame: frame) }
    }

    /// Runs `body` for each connection on its own loop.
    private func eachSubscriber(
        _ groups: [ContiguousArray<Connection>], _ body: @escaping @Sendable (Connection) -> Void
    ) {
        for group in groups where !group.isEmpty {
            let run = { for connection in group { body(connection) } }
            if group[0].loop.inEventLoop { run() } else { group[0].loop.execute(run) }
        }
    }

    /// This node's share of a channel, which the cluster writes to Redis: its subscriptions and,
    /// on a presence channel, each user's connections and `user_info` (for `users`, or all).
    func share(channel: String, users: Set<String>?) -> ChannelShare {
        lock.withLock {
            guard let state = state.channels[channel] else {
                return ChannelShare(subscriptions: 0, users: (users ?? []).map { ($0, 0, nil) })
            }
            guard let roster = state.roster else {
                return ChannelShare(subscriptions: state.subscriptionCount, users: [])
            }
            let ids = users.map(Array.init) ?? roster.members.map(\.id)
            return ChannelShare(
                subscriptions: state.subscriptionCount,
                users: ids.map { id in
                    let entry = roster.entry(userID: id)
                    return (id, entry?.connections ?? 0, entry?.info)
                })
        }
    }

    /// The occupied channels of this node, for a full resync with the cluster.
    var channelNames: [String] { lock.withLock { Array(state.channels.keys) } }

    func presenceUserIDs(channel: String) -> [String] {
        lock.withLock { state.channels[channel]?.roster?.members.map(\.id) ?? [] }
    }
}
