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
    private let commands: RedisLink
    private let bus: RedisLink
    private let relay: Relay
    let state = NIOLockedValueBox(State())
    private let startedMs = Int64(Timestamp.nowMs)
    let published = ManagedAtomic<Int>(0)
    let received = ManagedAtomic<Int>(0)
    let dropped = ManagedAtomic<Int>(0)
    let syncFailures = ManagedAtomic<Int>(0)

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

    private var server: PusherServer? { state.withLockedValue { $0.server } }

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
        if case .down(let reason) = linkState {
            logger.debug("redis bus down", metadata: ["node": "\(id)", "reason": "\(reason)"])
        }
    }

    // MARK: Messages

    public func broadcast(_ message: ClusterMessage) {
        let envelope = ClusterEnvelope.encode(from: id, message)
        let dropped = self.dropped
        commands.submit([[Array("PUBLISH".utf8), Array(keys.bus.utf8), envelope]]) { result in
            if case .failure = result { dropped.wrappingIncrement(ordering: .relaxed) }
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
            server.deliver(message)
        case .resynced:
            Task { await refreshRosters() }
        }
    }

    /// Sends every local presence subscriber the channel's roster as Redis has it now (a second
    /// `pusher_internal:subscription_succeeded`, which pusher-js and Laravel Echo take as the
    /// whole member list): after an outage, what clients were told and what is true can differ in
    /// ways no member event can fix. Runs once at a time; a notice meanwhile runs it again.
    private func refreshRosters() async {
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

    // MARK: Channel shares

    public func channelChanged(appID: String, channel: String, userID: String?) {
        let ref = ChannelRef(appID: appID, channel: channel)
        let start = state.withLockedValue { state -> Bool in
            if let userID {
                state.dirty[ref, default: Dirty()].users.insert(userID)
            } else {
                state.dirty[ref] = state.dirty[ref] ?? Dirty()
            }
            return Self.claimFlush(&state)
        }
        if start { flush() }
    }

    public func join(
        appID: String, channel: String, userID: String, maxMembers: Int?,
        _ reply: @escaping @Sendable (ClusterJoin) -> Void
    ) {
        let ref = ChannelRef(appID: appID, channel: channel)
        let start = state.withLockedValue { state -> Bool in
            state.dirty[ref, default: Dirty()].users.insert(userID)
            state.waiters[ref, default: []].append(
                Waiter(userID: userID, maxMembers: maxMembers, reply: reply))
            return Self.claimFlush(&state)
        }
        if start { flush() }
    }

    /// Whether the caller should start a flush (none is running).
    private static func claimFlush(_ state: inout State) -> Bool {
        guard !state.flushing else { return false }
        state.flushing = true
        return true
    }

    /// Writes the shares of every changed channel in one pipeline, handles the answers, and
    /// goes on while more changed meanwhile. One flush runs at a time, so the writes of one
    /// channel reach Redis in the order its changes happened.
    private func flush() {
        let taken = state.withLockedValue { state -> (PusherServer, [ChannelRef: Dirty], [ChannelRef: [Waiter]])? in
            guard let server = state.server, !state.dirty.isEmpty || !state.waiters.isEmpty else {
                state.flushing = false
                return nil
            }
            defer {
                state.dirty = [:]
                state.waiters = [:]
            }
            return (server, state.dirty, state.waiters)
        }
        guard let (server, dirty, waiters) = taken else { return }
        guard commands.state == .connected else {
            // Rewritten in full when the link is back; a join is answered from this node.
            for list in waiters.values { for waiter in list { waiter.reply(.local) } }
            state.withLockedValue { $0.flushing = false }
            return
        }
        let syncs: [(ChannelRef, ChannelSync)] = dirty.map { ref, change in
            let waiting = waiters[ref] ?? []
            let share = server.share(appID: ref.appID, channel: ref.channel, users: change.full ? nil : change.users)
            return (
                ref,
                ChannelSync(
                    node: id, appID: ref.appID, channel: ref.channel, share: share, full: change.full,
                    maxMembers: waiting.first?.maxMembers, wantsRoster: !waiting.isEmpty)
            )
        }
        submit(syncs.map { $0.1.command(keys) }) { result in
            switch result {
            case .failure(let failure):
                self.syncFailed("\(failure)", dirty: dirty)
                for list in waiters.values { for waiter in list { waiter.reply(.local) } }
            case .success(let answers):
                for ((ref, sync), answer) in zip(syncs, answers) {
                    self.apply(answer, of: sync, waiters: waiters[ref] ?? [], server: server, change: dirty[ref])
                }
                if dirty.values.contains(where: \.resync) {
                    // Everything written again: every node refreshes its presence rosters.
                    self.commands.submit([
                        [
                            Array("PUBLISH".utf8), Array(self.keys.bus.utf8),
                            ClusterEnvelope.encode(from: self.id, .resynced),
                        ]
                    ]) { _ in }
                    Task { await self.refreshRosters() }
                }
            }
            let again = self.state.withLockedValue { state -> Bool in
                if state.dirty.isEmpty && state.waiters.isEmpty {
                    state.flushing = false
                    return false
                }
                return true
            }
            if again { self.flush() }
        }
    }

    /// A sync that did not reach Redis: its channels are written again with the next flush
    /// (while the link is up; else the resync when it is back covers them).
    private func syncFailed(_ reason: String, dirty: [ChannelRef: Dirty]) {
        syncFailures.wrappingIncrement(ordering: .relaxed)
        let log = state.withLockedValue { state -> Bool in
            for (ref, change) in dirty { state.dirty[ref, default: Dirty()].merge(change) }
            return state.logs.allow("sync", now: Timestamp.nanoseconds)
        }
        if log { logger.warning("cluster sync failed", metadata: ["node": "\(id)", "reason": "\(reason)"]) }
    }

    /// Acts on what Redis decided for one channel: webhooks, member frames, waiting joins.
    /// - Parameter change: this node's change that was written (nil for a reap).
    private func apply(
        _ answer: RESPValue, of sync: ChannelSync, waiters: [Waiter], server: PusherServer, change: Dirty? = nil
    ) {
        guard let result = ChannelSync.parse(answer) else {
            syncFailures.wrappingIncrement(ordering: .relaxed)
            if state.withLockedValue({ $0.logs.allow("answer", now: Timestamp.nanoseconds) }) {
                logger.warning(
                    "unexpected answer to a cluster sync", metadata: ["node": "\(id)", "answer": "\(answer)"])
            }
            for waiter in waiters { waiter.reply(.local) }
            return
        }
        guard case .done(let outcome) = result else { return }
        let ref = ChannelRef(appID: sync.appID, channel: sync.channel)
        let before = change == nil ? nil : record(sync, outcome: outcome, ref: ref)
        // A restoration after Redis lost its data is not news: no webhook for what this node had
        // written before.
        let restored = change?.restore == true ? before : nil
        let now = Timestamp.nowMs
        var events: [WebhookEvent] = []
        if outcome.occupied, restored?.occupied != true {
            events.append(WebhookEvent(.channelOccupied, channel: sync.channel, timeMs: now))
        }
        if outcome.before != outcome.after, !sync.isPresence {
            server.raiseCount(appID: sync.appID, channel: sync.channel, count: outcome.after)
        }
        for member in outcome.added where member.webhook && restored?.users.contains(member.id) != true {
            events.append(WebhookEvent(.memberAdded, channel: sync.channel, userID: member.id, timeMs: now))
        }
        if !events.isEmpty { server.raiseDecided(appID: sync.appID, events) }
        let roster = outcome.roster.map { (id: $0.id, info: $0.info) }
        for waiter in waiters {
            waiter.reply(outcome.refused.contains(waiter.userID) ? .full : .joined(roster: roster))
        }
        // After a resync every node sends whole rosters instead of member frames.
        guard change?.resync != true else { return }
        if !outcome.added.isEmpty || !outcome.removed.isEmpty {
            server.announce(
                appID: sync.appID, channel: sync.channel, added: outcome.added.map { ($0.id, $0.info) },
                removed: outcome.removed)
        }
    }

    /// Remembers what this node's write told Redis; returns what it had written before.
    private func record(_ sync: ChannelSync, outcome: ChannelSync.Outcome, ref: ChannelRef) -> Written {
        state.withLockedValue { state in
            let before = state.written[ref] ?? Written()
            var now = before
            now.occupied = sync.share.subscriptions > 0
            if sync.full { now.users = [] }
            for user in sync.share.users {
                if user.connections > 0, !outcome.refused.contains(user.id) {
                    now.users.insert(user.id)
                } else {
                    now.users.remove(user.id)
                }
            }
            state.written[ref] = now.occupied || !now.users.isEmpty ? now : nil
            return before
        }
    }

    /// Writes every share of this node again: the channels it has, and those Redis thinks it
    /// has (a leave that was lost while the link was down).
    private func resync(reason: String, restore: Bool = false) async {
        guard let server else { return }
        let indexed = await run([["SMEMBERS", keys.index(id)].map { Array($0.utf8) }])
        var refs = Set(server.localChannels.map { ChannelRef(appID: $0.appID, channel: $0.channel) })
        if case .success(let answers) = indexed {
            for entry in answers.first?.elements?.compactMap(\.string) ?? [] {
                let parts = entry.split(separator: "\n", maxSplits: 1).map(String.init)
                if parts.count == 2 { refs.insert(ChannelRef(appID: parts[0], channel: parts[1])) }
            }
        }
        logger.info("cluster resync", metadata: ["node": "\(id)", "channels": "\(refs.count)", "reason": "\(reason)"])
        let start = state.withLockedValue { state -> Bool in
            for ref in refs {
                state.dirty[ref, default: Dirty()].merge(Dirty(full: true, resync: true, restore: restore))
            }
            return Self.claimFlush(&state)
        }
        if start { flush() }
    }

    // MARK: Heartbeat and reaping

    private func beat() async {
        guard let server else { return }
        let configuration = server.currentConfiguration
        let info = NodeInfo(
            id: id, address: settings.address, version: settings.version, revision: configuration.revision,
            startedMs: startedMs, connections: server.localConnections)
        let command = ClusterScript.beat.evalsha(
            keys: [keys.nodes, keys.node(id)],
            arguments: [id, info.json, String(settings.deadAfterMs), String(settings.deadAfterMs), keys.prefix].map {
                Array($0.utf8)
            })
        guard case .success(let answers) = await run([command]), let parts = answers.first?.elements,
            parts.count == 4, let dead = parts[0].elements?.compactMap(\.string),
            let live = parts[1].elements?.compactMap(\.string), let infos = parts[2].elements?.compactMap(\.string)
        else {
            state.withLockedValue { $0.beatProblem = "heartbeat failed" }
            return
        }
        let known = parts[3].integer == 1
        var peers: [NodeInfo] = []
        var remote: [String: Int] = [:]
        for (nodeID, text) in zip(live, infos) where nodeID != id {
            guard let peer = NodeInfo.parse(text) else { continue }
            peers.append(peer)
            for (app, count) in peer.connections { remote[app, default: 0] += count }
        }
        state.withLockedValue { state in
            state.peers = peers.sorted { $0.id < $1.id }
            state.remoteConnections = remote
            state.lastBeatAt = Timestamp.nanoseconds
            state.beatProblem = nil
        }
        if !known { await resync(reason: "this node was not registered") }
        for nodeID in dead where nodeID != id { await reap(nodeID, server: server) }
    }

    /// Reaps a dead node if this node takes its lock: writes each of its shares as empty.
    private func reap(_ nodeID: String, server: PusherServer) async {
        let lock = await run([["SET", keys.reapLock(nodeID), id, "NX", "PX", "30000"].map { Array($0.utf8) }])
        guard case .success(let answers) = lock, answers.first?.string == "OK" else { return }
        guard case .success(let indexed) = await run([["SMEMBERS", keys.index(nodeID)].map { Array($0.utf8) }])
        else { return }
        let syncs: [ChannelSync] = (indexed.first?.elements?.compactMap(\.string) ?? []).compactMap { entry in
            let parts = entry.split(separator: "\n", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            return ChannelSync(
                node: nodeID, appID: parts[0], channel: parts[1], share: ChannelShare(subscriptions: 0), full: true,
                reap: true)
        }
        if !syncs.isEmpty, case .success(let results) = await run(syncs.map { $0.command(keys) }) {
            for (sync, answer) in zip(syncs, results) { apply(answer, of: sync, waiters: [], server: server) }
        }
        _ = await run([
            ClusterScript.forget.evalsha(
                keys: [keys.nodes, keys.node(nodeID), keys.index(nodeID)], arguments: [Array(nodeID.utf8)])
        ])
        state.withLockedValue { $0.reaped += 1 }
        logger.warning(
            "reaped a dead node", metadata: ["node": "\(id)", "dead": "\(nodeID)", "channels": "\(syncs.count)"])
    }

    /// Sends the delayed webhook events that are due; Redis hands each to one node.
    private func claimDue() async {
        guard let server, isConnected else { return }
        let command = ClusterScript.claim.evalsha(keys: [keys.due], arguments: [Array("100".utf8)])
        guard case .success(let answers) = await run([command]), let items = answers.first?.elements else { return }
        var byApp: [String: [WebhookEvent]] = [:]
        let now = Timestamp.nowMs
        for item in items.compactMap(\.string) {
            guard let due = DueEvent.parse(item) else { continue }
            byApp[due.appID, default: []].append(
                WebhookEvent(due.event, channel: due.channel, userID: due.userID, timeMs: now))
        }
        for (appID, events) in byApp { server.raiseDecided(appID: appID, events) }
    }

    // MARK: Queries

    public func remoteConnections(appID: String) -> Int {
        state.withLockedValue { $0.remoteConnections[appID] ?? 0 }
    }

    public func claimCacheMiss(appID: String, channel: String, _ reply: @escaping @Sendable (Bool) -> Void) {
        let command = ["SET", keys.cacheMiss(app: appID, channel: channel), id, "NX", "PX", "86400000"]
        submit([command.map { Array($0.utf8) }]) { result in
            if case .success(let answers) = result { reply(answers.first?.string == "OK") } else { reply(false) }
        }
    }

    public func counts(
        appID: String, channels: [String],
        _ reply: @escaping @Sendable (Result<[String: ClusterChannelCounts], ClusterUnavailable>) -> Void
    ) {
        let commands = channels.map { channel in
            ClusterScript.counts.evalsha(
                keys: [keys.subscriptions(app: appID, channel: channel), keys.members(app: appID, channel: channel)],
                arguments: [])
        }
        submit(commands) { result in
            reply(
                result.mapError { ClusterUnavailable("\($0)") }.flatMap { answers in
                    var counts: [String: ClusterChannelCounts] = [:]
                    for (channel, answer) in zip(channels, answers) {
                        guard let pair = answer.elements, pair.count == 2, let subs = pair[0].integer,
                            let users = pair[1].integer
                        else { return .failure(ClusterUnavailable("unexpected answer \(answer)")) }
                        if subs > 0 {
                            counts[channel] = ClusterChannelCounts(subscriptionCount: Int(subs), userCount: Int(users))
                        }
                    }
                    return .success(counts)
                })
        }
    }

    public func occupiedChannels(
        appID: String, prefix: String,
        _ reply: @escaping @Sendable (Result<[String: ClusterChannelCounts], ClusterUnavailable>) -> Void
    ) {
        let command = ClusterScript.occupied.evalsha(
            keys: [keys.occupied(app: appID)],
            arguments: [keys.prefix + ":", prefix, appID].map { Array($0.utf8) })
        submit([command]) { result in
            reply(
                result.mapError { ClusterUnavailable("\($0)") }.flatMap { answers in
                    guard let items = answers.first?.elements, items.count % 3 == 0 else {
                        return .failure(ClusterUnavailable("unexpected answer"))
                    }
                    var counts: [String: ClusterChannelCounts] = [:]
                    for index in stride(from: 0, to: items.count, by: 3) {
                        guard let name = items[index].string, let subs = items[index + 1].integer,
                            let users = items[index + 2].integer
                        else { continue }
                        counts[name] = ClusterChannelCounts(subscriptionCount: Int(subs), userCount: Int(users))
                    }
                    return .success(counts)
                })
        }
    }

    public func users(
        appID: String, channel: String, _ reply: @escaping @Sendable (Result<[String], ClusterUnavailable>) -> Void
    ) {
        submit([["HKEYS", keys.members(app: appID, channel: channel)].map { Array($0.utf8) }]) { result in
            reply(
                result.mapError { ClusterUnavailable("\($0)") }.map { answers in
                    (answers.first?.elements?.compactMap(\.string) ?? []).sorted()
                })
        }
    }

    // MARK: Redis calls

    /// Submits commands in order; an `EVALSHA` that Redis does not know (`NOSCRIPT`, after a
    /// restart) is sent again as `EVAL` before the answers are handed over.
    private func submit(
        _ batch: [[[UInt8]]], _ done: @escaping @Sendable (Result<[RESPValue], RedisFailure>) -> Void
    ) {
        guard !batch.isEmpty else { return done(.success([])) }
        let commands = self.commands
        commands.submit(batch) { result in
            guard case .success(let answers) = result else { return done(result) }
            let missing = answers.indices.filter {
                if case .error(let message) = answers[$0] { return message.hasPrefix("NOSCRIPT") }
                return false
            }
            guard !missing.isEmpty else { return done(result) }
            let retry = missing.map { index -> [[UInt8]] in
                let sha = String(decoding: batch[index][1], as: UTF8.self)
                return ClusterScript.all.first { $0.sha1 == sha }?.eval(batch[index]) ?? batch[index]
            }
            commands.submit(retry) { again in
                guard case .success(let retried) = again else { return done(again) }
                var merged = answers
                for (index, answer) in zip(missing, retried) { merged[index] = answer }
                done(.success(merged))
            }
        }
    }

    private func run(_ batch: [[[UInt8]]]) async -> Result<[RESPValue], RedisFailure> {
        await withCheckedContinuation { continuation in
            submit(batch) { continuation.resume(returning: $0) }
        }
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
