import Atomics
import BelfryRedis
import BelfryServer
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// This node's membership of a cluster: two links to Redis (commands, and the bus it listens
/// on), the heartbeat that keeps it alive in the others' eyes and reaps the dead, the sync of
/// its channels' shares, and the claim of delayed webhook events. A `Service`: it starts before
/// the server and leaves the cluster after the server has drained.
///
/// How it keeps its promises (README "Clustering"):
/// - One `PUBLISH` per event on `P:bus`; every other node decodes it once and fans it out to
///   its own sockets. A node never delivers its own envelopes twice: it delivered them locally
///   before publishing, and drops them when they come back.
/// - Occupancy, presence and counts live in Redis as each node's share, written by
///   `ClusterScript.sync`, which decides the cluster-wide transitions atomically; the node that
///   wrote the change announces it (frames to clients, webhooks), so each happens once.
/// - Changes are coalesced: a channel changed many times while a sync is in flight is written
///   once more afterwards, with its latest share.
/// - Every node heartbeats each second; one silent for `deadAfterMs` is reaped by whichever
///   node takes its lock: its shares are written as empty, which sends the `member_removed`
///   and `channel_vacated` it owed.
/// - When the link comes back, or Redis has forgotten this node (restart, reap), the node
///   writes every share again.
public final class ClusterNode: ClusterLink, Service, Sendable {
    public struct Settings: Sendable {
        public var url: RedisURL
        public var prefix: String
        /// This node's public address, shown to operators.
        public var address: String
        public var version: String
        public var heartbeat: Duration = .seconds(1)
        /// A node silent this long is dead.
        public var deadAfterMs = 5000
        public var claimInterval: Duration = .milliseconds(250)
        /// Messages from the bus queued on this node's event loops before it stops reading the
        /// bus until they are down to half (`BusPacing`).
        public var maxBusMessagesQueued = 256
        /// How long a cache channel's last event is kept in Redis (`--cache-ttl`).
        public var cacheTTLMs = 1_800_000
        /// Cache channels whose last event one app keeps in Redis (`maxCacheEntriesPerApp`).
        public var maxCacheEntriesPerApp = 10_000

        public init(url: RedisURL, prefix: String, address: String, version: String) {
            self.url = url
            self.prefix = prefix
            self.address = address
            self.version = version
        }
    }

    /// A random 128-bit id per process start, never reused: a restarted node is a new node.
    public let id: String
    public let keys: ClusterKeys
    let settings: Settings
    let logger: Logger
    let commands: RedisLink
    let bus: RedisLink
    private let relay: Relay
    let state = NIOLockedValueBox(State())
    let startedMs = Int64(Timestamp.nowMs)
    let published = ManagedAtomic<Int>(0)
    let received = ManagedAtomic<Int>(0)
    let dropped = ManagedAtomic<Int>(0)
    let configurationChangeHandler = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)
    let syncFailures = ManagedAtomic<Int>(0)
    /// Bus messages queued on the loops, and whether the bus is being read (see `BusPacing`).
    private let pacing: NIOLockedValueBox<BusPacing>
    let busPauses = ManagedAtomic<Int>(0)

    struct ChannelRef: Hashable {
        var appID: String
        var channel: String
    }

    struct Dirty {
        var full = false
        var users: Set<String> = []
        /// Written again after the link came back: no member frames (every node sends its
        /// presence subscribers the whole roster afterwards, `ClusterEnvelope.Content.resynced`).
        var resync = false
        /// Redis lost its data (a restart): occupied / member_added of what this node had
        /// written before are restorations, not news, and send no webhooks.
        var restore = false

        mutating func merge(_ other: Dirty) {
            full = full || other.full
            users.formUnion(other.users)
            resync = resync || other.resync
            restore = restore || other.restore
        }
    }

    /// What this node last wrote to Redis of a channel, acknowledged.
    struct Written {
        var occupied = false
        var users: Set<String> = []
    }

    struct Waiter {
        var userID: String
        var maxMembers: Int?
        var reply: @Sendable (ClusterJoin) -> Void
    }

    struct State {
        var server: PusherServer?
        var dirty: [ChannelRef: Dirty] = [:]
        var waiters: [ChannelRef: [Waiter]] = [:]
        var flushing = false
        /// The other live nodes as of the last heartbeat.
        var peers: [NodeInfo] = []
        var remoteConnections: [String: Int] = [:]
        var lastBeatAt: UInt64 = 0
        var beatProblem: String?
        var reaped = 0
        var logs = LogGate()
        var written: [ChannelRef: Written] = [:]
        /// Redis's `run_id` when the link last came up: a new one means a restarted Redis.
        var redisRunID: String?
        var refreshing = false
    }

    /// The links' callbacks reach the node through this (the node is made after its links).
    private final class Relay: Sendable {
        let node = NIOLockedValueBox<ClusterNode?>(nil)
    }

    public init(settings: Settings, logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        var random = SystemRandomNumberGenerator()
        id = (0..<2).map { _ in
            let hex = String(random.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        keys = ClusterKeys(prefix: settings.prefix)
        self.settings = settings
        pacing = NIOLockedValueBox(BusPacing(high: settings.maxBusMessagesQueued))
        self.logger = logger
        let relay = Relay()
        self.relay = relay
        commands = RedisLink(
            url: settings.url, group: group,
            onState: { state in relay.node.withLockedValue { $0 }?.commandLinkChanged(state) })
        bus = RedisLink(
            url: settings.url, group: group,
            onMessage: { message in relay.node.withLockedValue { $0 }?.receive(message.payload) },
            onState: { state in relay.node.withLockedValue { $0 }?.busLinkChanged(state) })
        relay.node.withLockedValue { $0 = self }
    }

    /// The server whose sockets this node serves; set once, before `run`.
    public func attach(_ server: PusherServer) {
        state.withLockedValue { $0.server = server }
    }

    var server: PusherServer? { state.withLockedValue { $0.server } }

    // MARK: Service

    public func run() async throws {
        logger.info(
            "joining cluster", metadata: ["node": "\(id)", "redis": "\(settings.url)", "prefix": "\(settings.prefix)"])
        commands.start()
        bus.subscribe(channels: [Array(keys.bus.utf8)])
        bus.start()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.beatLoop() }
                group.addTask { await self.claimLoop() }
            }
        }
        await leave()
        commands.stop()
        bus.stop()
        relay.node.withLockedValue { $0 = nil }
    }

    private func beatLoop() async {
        while !Task.isCancelled {
            await beat()
            try? await Task.sleep(for: settings.heartbeat)
        }
    }

    private func claimLoop() async {
        while !Task.isCancelled {
            await claimDue()
            try? await Task.sleep(for: settings.claimInterval)
        }
    }

    /// After the server drained: waits (at most 3 s) for the last shares to be written, then
    /// marks this node dead at once, so the others reap what is left now rather than in 5 s.
    private func leave() async {
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline, isConnected,
            state.withLockedValue({ $0.flushing || !$0.dirty.isEmpty })
        {
            try? await Task.sleep(for: .milliseconds(20))
        }
        _ = await run([
            ["DEL", keys.node(id)].map { Array($0.utf8) }, ["ZADD", keys.nodes, "0", id].map { Array($0.utf8) },
        ])
        logger.info("left cluster", metadata: ["node": "\(id)"])
    }

    // MARK: Links

    public var isConnected: Bool { commands.state == .connected && bus.state == .connected }

    private func commandLinkChanged(_ linkState: RedisLink.State) {
        switch linkState {
        case .connected:
            logger.info("redis link up", metadata: ["node": "\(id)", "redis": "\(settings.url)"])
            // Scripts first (a restarted Redis has none), then every share again.
            commands.submit(
                ClusterScript.all.map { [Array("SCRIPT".utf8), Array("LOAD".utf8), Array($0.source.utf8)] }
            ) { _ in }
            Task { await self.linkUp() }
        case .down(let reason):
            logger.warning(
                "redis link down; serving local clients, reconnecting",
                metadata: ["node": "\(id)", "redis": "\(settings.url)", "reason": "\(reason)"])
        case .connecting:
            break
        }
    }

    /// The command link is up: was this Redis restarted (a new `run_id`)? Then every share is
    /// written again as a restoration.
    private func linkUp() async {
        var runID: String?
        if case .success(let answers) = await run([[Array("INFO".utf8), Array("server".utf8)]]),
            let text = answers.first?.string
        {
            runID = text.split(whereSeparator: \.isNewline).first { $0.hasPrefix("run_id:") }.map {
                String($0.dropFirst("run_id:".count))
            }
        }
        let restarted = state.withLockedValue { state -> Bool in
            defer { if runID != nil { state.redisRunID = runID } }
            guard let previous = state.redisRunID, let runID else { return false }
            return previous != runID
        }
        await resync(reason: restarted ? "redis restarted" : "link up", restore: restarted)
    }

    private func busLinkChanged(_ linkState: RedisLink.State) {
        // Messages published while the bus was down are lost (Redis pub/sub is at most once);
        // state is not: it is in Redis, and shares are rewritten when the command link returns.
        guard case .down(let reason) = linkState else { return }
        guard commands.state == .connected else {
            // Redis is gone for both links: the command link's warning says so.
            logger.debug("redis bus down", metadata: ["node": "\(id)", "reason": "\(reason)"])
            return
        }
        // Redis closed this node's subscription alone: most likely its pub/sub output buffer limit,
        // when this node has read the bus too slowly for too long (see `BusPacing`).
        logger.warning(
            "cluster bus link lost while Redis still answers (its client-output-buffer-limit for pub/sub?); messages from other nodes published until it is back are lost",
            metadata: ["node": "\(id)", "reason": "\(reason)"])
    }

    // MARK: Messages

    /// What runs when another node says it changed the configuration (`announceConfigurationChange`):
    /// the server triggers a reconcile pass.
    public func onConfigurationChange(_ handler: @escaping @Sendable () -> Void) {
        configurationChangeHandler.withLockedValue { $0 = handler }
    }

    /// Tells the other nodes that this one changed the configuration source, so they reconcile
    /// now: a management API write or rotation reaches every node at once, not at each one's
    /// next interval. Fire and forget, like every bus message: a node that misses it still
    /// converges at its next interval.
    public func announceConfigurationChange() {
        let envelope = ClusterEnvelope.encode(from: id, .configurationChanged)
        let dropped = self.dropped
        commands.submit([[Array("PUBLISH".utf8), Array(keys.bus.utf8), envelope]]) { result in
            if case .failure = result { dropped.wrappingIncrement(ordering: .relaxed) }
        }
    }

    public func broadcast(_ message: ClusterMessage) {
        let envelope = ClusterEnvelope.encode(from: id, message)
        let dropped = self.dropped
        if case .channel(let appID, let channel, _, _, let cache?) = message {
            // A cache channel's event is also kept in Redis, for the nodes that have no copy
            // (one started after it), by the script that publishes it.
            let write = cache.write(
                keys: keys, appID: appID, channel: channel, ttlMs: settings.cacheTTLMs,
                maxEntries: settings.maxCacheEntriesPerApp, envelope: envelope)
            submit([write]) { result in
                // PUBLISH's answer (an integer) once the script ran; a failure or an error otherwise.
                guard case .success(let answers) = result, case .integer? = answers.first else {
                    return dropped.wrappingIncrement(ordering: .relaxed)
                }
            }
        } else {
            commands.submit([[Array("PUBLISH".utf8), Array(keys.bus.utf8), envelope]]) { result in
                if case .failure = result { dropped.wrappingIncrement(ordering: .relaxed) }
            }
        }
        published.wrappingIncrement(ordering: .relaxed)
    }

    private func receive(_ payload: [UInt8]) {
        // This node's own envelopes come back too: dropped before decoding the rest.
        if ClusterEnvelope.isFrom(id, payload) { return }
        guard let (sender, content) = ClusterEnvelope.decode(payload) else {
            if state.withLockedValue({ $0.logs.allow("envelope", now: Timestamp.nanoseconds) }) {
                logger.warning("malformed message on the cluster bus", metadata: ["bytes": "\(payload.count)"])
            }
            return
        }
        guard sender != id, let server else { return }
        switch content {
        case .message(let message):
            received.wrappingIncrement(ordering: .relaxed)
            pace { $0.queue() }
            server.deliver(message) { [self] in pace { $0.settle() } }
        case .resynced:
            Task { await refreshRosters() }
        case .configurationChanged:
            configurationChangeHandler.withLockedValue { $0 }?()
        }
    }

    /// Applies what `BusPacing` decides to the bus link, under its lock, so that the link's last
    /// wish is the pacing's last decision whichever threads decide.
    private func pace(_ step: (inout BusPacing) -> BusPacing.Action?) {
        let stopped = pacing.withLockedValue { pacing -> Bool in
            switch step(&pacing) {
            case .stopReading?:
                bus.setReading(false)
                return true
            case .resumeReading?:
                bus.setReading(true)
                return false
            case nil:
                return false
            }
        }
        guard stopped else { return }
        busPauses.wrappingIncrement(ordering: .relaxed)
        if state.withLockedValue({ $0.logs.allow("bus paused", now: Timestamp.nanoseconds) }) {
            logger.warning(
                "cluster bus paused: this node's event loops are behind the messages of the other nodes",
                metadata: ["node": "\(id)", "queued": "\(settings.maxBusMessagesQueued)"])
        }
    }

    /// Sends every local presence subscriber the channel's roster as Redis has it now (a second
    /// `pusher_internal:subscription_succeeded`, which pusher-js and Laravel Echo take as the
    /// whole member list): after an outage, what clients were told and what is true can differ in
    /// ways no member event can fix. Runs once at a time; a notice meanwhile runs it again.
    func refreshRosters() async {
        guard let server else { return }
        let start = state.withLockedValue { state -> Bool in
            guard !state.refreshing else { return false }
            state.refreshing = true
            return true
        }
        guard start else { return }
        defer { state.withLockedValue { $0.refreshing = false } }
        let channels = server.localChannels.filter { $0.channel.hasPrefix("presence-") }
        guard !channels.isEmpty else { return }
        let commands = channels.map {
            ["HGETALL", keys.memberInfo(app: $0.appID, channel: $0.channel)].map { Array($0.utf8) }
        }
        guard case .success(let answers) = await run(commands) else { return }
        for (channel, answer) in zip(channels, answers) {
            let flat = answer.elements?.compactMap(\.string) ?? []
            guard flat.count % 2 == 0 else { continue }
            let roster = stride(from: 0, to: flat.count, by: 2).map {
                (id: flat[$0], info: flat[$0 + 1].isEmpty ? nil : flat[$0 + 1])
            }
            server.refreshPresence(appID: channel.appID, channel: channel.channel, roster: roster)
        }
        logger.info("presence rosters refreshed", metadata: ["node": "\(id)", "channels": "\(channels.count)"])
    }
}

/// At most one log line per key every 10 s (a flapping link must not flood the log).
struct LogGate {
    private var last: [String: UInt64] = [:]

    mutating func allow(_ key: String, now: UInt64) -> Bool {
        if let previous = last[key], now &- previous < 10_000_000_000 { return false }
        last[key] = now
        return true
    }
}

/// Clocks, without Foundation.
enum Timestamp {
    static var nanoseconds: UInt64 { NIODeadline.now().uptimeNanoseconds }

    static var nowMs: Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
