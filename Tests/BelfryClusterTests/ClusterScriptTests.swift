import BelfryCluster
import BelfryJSON
import BelfryRedis
import BelfryServer
import BelfryTestSupport
import NIOPosix
import Testing

/// The Lua scripts against a real `redis-server`: the cluster-wide decisions two nodes' shares
/// lead to, written one after the other as the nodes would.
@Suite(.serialized, .timeLimit(.minutes(1))) struct ClusterScriptTests {
    let keys = ClusterKeys(prefix: "t")
    let nodeA = String(repeating: "a", count: 32)
    let nodeB = String(repeating: "b", count: 32)

    /// A connection to a fresh Redis, and `sync` writing one node's share of one channel.
    final class Harness: Sendable {
        let redis: RedisProcess
        let connection: RedisConnection
        let keys: ClusterKeys

        init(keys: ClusterKeys) async throws {
            redis = try RedisProcess()
            connection = try await RedisConnection.connect(
                to: try RedisURL(parsing: "redis://127.0.0.1:\(redis.port)"), on: MultiThreadedEventLoopGroup.singleton)
            self.keys = keys
        }

        func run(_ command: [[UInt8]], script: ClusterScript) async throws -> RESPValue {
            let answer = try await connection.pipeline([command])[0]
            if case .error(let message) = answer, message.hasPrefix("NOSCRIPT") {
                return try await connection.pipeline([script.eval(command)])[0]
            }
            return answer
        }

        func sync(
            _ node: String, _ channel: String, subscriptions: Int, users: [(String, Int)] = [], full: Bool = false,
            maxMembers: Int? = nil, roster: Bool = false, reap: Bool = false, delayMs: Int = 3000
        ) async throws -> ChannelSync.Result {
            var sync = ChannelSync(
                node: node, appID: "app", channel: channel,
                share: ChannelShare(
                    subscriptions: subscriptions,
                    users: users.map { ($0.0, $0.1, JSONValue.object([("name", .string($0.0))])) }),
                full: full, maxMembers: maxMembers, wantsRoster: roster, reap: reap)
            sync.delayMs = delayMs
            let answer = try await run(sync.command(keys), script: ClusterScript.sync)
            return try #require(ChannelSync.parse(answer), "answer \(answer)")
        }

        func outcome(
            _ node: String, _ channel: String, subscriptions: Int, users: [(String, Int)] = [], full: Bool = false,
            maxMembers: Int? = nil, roster: Bool = false, delayMs: Int = 3000
        ) async throws -> ChannelSync.Outcome {
            let result = try await sync(
                node, channel, subscriptions: subscriptions, users: users, full: full, maxMembers: maxMembers,
                roster: roster, delayMs: delayMs)
            guard case .done(let outcome) = result else { throw RedisTestError("expected an outcome, got \(result)") }
            return outcome
        }

        func due() async throws -> [String] {
            try await connection.send(["ZRANGE", keys.due, "0", "-1"]).elements?.compactMap(\.string) ?? []
        }

        func claim() async throws -> [DueEvent] {
            let answer = try await run(
                ClusterScript.claim.evalsha(keys: [keys.due], arguments: [Array("100".utf8)]), script: .claim)
            return answer.elements?.compactMap(\.string).compactMap(DueEvent.parse) ?? []
        }

        deinit { connection.close() }
    }

    @Test func aChannelIsOccupiedOnceAndVacatedOnceAcrossNodes() async throws {
        let h = try await Harness(keys: keys)
        var o = try await h.outcome(nodeA, "news", subscriptions: 1)
        #expect((o.before, o.after, o.occupied) == (0, 1, true))
        o = try await h.outcome(nodeB, "news", subscriptions: 2)
        #expect((o.before, o.after, o.occupied) == (1, 3, false))
        o = try await h.outcome(nodeA, "news", subscriptions: 0)
        #expect((o.after, try await h.due()) == (2, []))
        o = try await h.outcome(nodeB, "news", subscriptions: 0)
        #expect(o.after == 0)
        #expect(try await h.due() == ["v\napp\nnews"])
        // Back within the delay: neither the vacate nor a new occupied is sent.
        o = try await h.outcome(nodeA, "news", subscriptions: 1)
        #expect((o.after, o.occupied) == (1, false))
        #expect(try await h.due() == [])
        // Gone for good: the vacate is claimed once, by one caller.
        _ = try await h.outcome(nodeA, "news", subscriptions: 0, delayMs: 0)
        #expect(try await h.claim() == [DueEvent(appID: "app", event: .channelVacated, channel: "news")])
        #expect(try await h.claim() == [])
    }

    @Test func aMemberIsAddedOnItsFirstConnectionAnywhereAndRemovedOnItsLast() async throws {
        let h = try await Harness(keys: keys)
        var o = try await h.outcome(nodeA, "presence-x", subscriptions: 1, users: [("u1", 1)], roster: true)
        #expect(o.added.map(\.id) == ["u1"])
        #expect(o.added.first?.webhook == true)
        #expect(o.added.first?.info == #"{"name":"u1"}"#)
        #expect(o.roster.map(\.id) == ["u1"])
        o = try await h.outcome(nodeB, "presence-x", subscriptions: 1, users: [("u1", 1)])
        #expect(o.added.isEmpty)
        #expect(o.userCount == 1)
        o = try await h.outcome(nodeA, "presence-x", subscriptions: 0, users: [("u1", 0)])
        #expect(o.removed.isEmpty)
        o = try await h.outcome(nodeB, "presence-x", subscriptions: 0, users: [("u1", 0)], delayMs: 0)
        #expect(o.removed == ["u1"])
        #expect(o.userCount == 0)
        let claimed = try await h.claim()
        #expect(claimed.contains(DueEvent(appID: "app", event: .memberRemoved, channel: "presence-x", userID: "u1")))
    }

    @Test func aQuickReturnSendsFramesButNoWebhooks() async throws {
        let h = try await Harness(keys: keys)
        _ = try await h.outcome(nodeA, "presence-r", subscriptions: 1, users: [("u", 1)])
        var o = try await h.outcome(nodeA, "presence-r", subscriptions: 0, users: [("u", 0)])
        #expect(o.removed == ["u"])
        o = try await h.outcome(nodeB, "presence-r", subscriptions: 1, users: [("u", 1)])
        #expect(o.added.map(\.id) == ["u"])
        #expect(o.added.first?.webhook == false)
        #expect(o.occupied == false)
        #expect(try await h.due() == [])
    }

    @Test func maxMembersCountsUsersOnEveryNode() async throws {
        let h = try await Harness(keys: keys)
        _ = try await h.outcome(nodeA, "presence-m", subscriptions: 1, users: [("u1", 1)], maxMembers: 1)
        var o = try await h.outcome(nodeB, "presence-m", subscriptions: 1, users: [("u2", 1)], maxMembers: 1)
        #expect(o.refused == ["u2"])
        #expect(o.userCount == 1)
        // Another connection of a member is not a new member.
        o = try await h.outcome(nodeB, "presence-m", subscriptions: 2, users: [("u1", 1)], maxMembers: 1)
        #expect(o.refused.isEmpty)
        #expect(o.userCount == 1)
    }

    @Test func writingTheSameShareTwiceChangesNothing() async throws {
        let h = try await Harness(keys: keys)
        _ = try await h.outcome(nodeA, "presence-i", subscriptions: 2, users: [("u1", 1), ("u2", 1)])
        let again = try await h.outcome(
            nodeA, "presence-i", subscriptions: 2, users: [("u1", 1), ("u2", 1)], full: true)
        #expect((again.before, again.after, again.occupied) == (2, 2, false))
        #expect(again.added.isEmpty && again.removed.isEmpty)
        // A full write without u2 removes it (a leave lost while the link was down).
        let full = try await h.outcome(nodeA, "presence-i", subscriptions: 1, users: [("u1", 1)], full: true)
        #expect(full.removed == ["u2"])
    }

    @Test func aReapEmptiesADeadNodesSharesUnlessItCameBack() async throws {
        let h = try await Harness(keys: keys)
        _ = try await h.outcome(nodeA, "presence-d", subscriptions: 1, users: [("u1", 1)])
        _ = try await h.outcome(nodeA, "private-d", subscriptions: 3)
        let index = try await h.connection.send(["SMEMBERS", keys.index(nodeA)]).elements?.compactMap(\.string)
        #expect(Set(index ?? []) == ["app\npresence-d", "app\nprivate-d"])
        // Alive (its heartbeat key exists): the reap does nothing.
        _ = try await h.connection.send(["SET", keys.node(nodeA), "{}"])
        #expect(try await h.sync(nodeA, "presence-d", subscriptions: 0, full: true, reap: true) == .alive)
        _ = try await h.connection.send(["DEL", keys.node(nodeA)])
        guard case .done(let reaped) = try await h.sync(nodeA, "presence-d", subscriptions: 0, full: true, reap: true)
        else { throw RedisTestError("expected a reap") }
        #expect(reaped.removed == ["u1"])
        #expect(reaped.after == 0)
        _ = try await h.sync(nodeA, "private-d", subscriptions: 0, full: true, reap: true)
        #expect(try await h.connection.send(["SCARD", keys.index(nodeA)]) == .integer(0))
        #expect(Set(try await h.due()) == ["v\napp\npresence-d", "v\napp\nprivate-d", "r\napp\npresence-d\nu1"])
    }

    @Test func theHeartbeatReportsLiveAndDeadNodes() async throws {
        let h = try await Harness(keys: keys)
        func beat(_ node: String) async throws -> [RESPValue] {
            let command = ClusterScript.beat.evalsha(
                keys: [keys.nodes, keys.node(node)],
                arguments: [node, #"{"id":"\#(node)"}"#, "5000", "5000", "t"].map { Array($0.utf8) })
            return try #require(try await h.run(command, script: .beat).elements)
        }
        var parts = try await beat(nodeA)
        #expect(parts[3] == .integer(0), "not known before its first beat")
        _ = try await beat(nodeB)
        parts = try await beat(nodeA)
        #expect(parts[3] == .integer(1))
        #expect(Set(parts[1].elements?.compactMap(\.string) ?? []) == [nodeA, nodeB])
        #expect(parts[2].elements?.compactMap(\.string).contains(#"{"id":"\#(nodeB)"}"#) == true)
        // B silent for longer than the limit: dead.
        _ = try await h.connection.send(["ZADD", keys.nodes, "1", nodeB])
        parts = try await beat(nodeA)
        #expect(parts[0].elements?.compactMap(\.string) == [nodeB])
        #expect(parts[1].elements?.compactMap(\.string) == [nodeA])
    }

    @Test func countsAndOccupiedChannelsAreSumsOverNodes() async throws {
        let h = try await Harness(keys: keys)
        _ = try await h.outcome(nodeA, "presence-c", subscriptions: 2, users: [("u1", 2)])
        _ = try await h.outcome(nodeB, "presence-c", subscriptions: 1, users: [("u2", 1)])
        _ = try await h.outcome(nodeB, "news", subscriptions: 4)
        let occupied = try await h.run(
            ClusterScript.occupied.evalsha(
                keys: [keys.occupied(app: "app")], arguments: ["t:", "presence-", "app"].map { Array($0.utf8) }),
            script: .occupied)
        #expect(occupied.elements?.map { $0.string ?? String($0.integer ?? -1) } == ["presence-c", "3", "2"])
        let counts = try await h.run(
            ClusterScript.counts.evalsha(
                keys: [keys.subscriptions(app: "app", channel: "news"), keys.members(app: "app", channel: "news")],
                arguments: []), script: .counts)
        #expect(counts.elements == [.integer(4), .integer(0)])
    }

    /// Writes `channel`'s last event of `app` as a node's broadcast does; PUBLISH's answer.
    private func cacheWrite(
        _ h: Harness, _ channel: String, app: String = "app", ttlMs: Int = 60_000, maxEntries: Int
    ) async throws -> RESPValue {
        let entry = ClusterCacheEntry(event: "price", data: channel)
        return try await h.run(
            entry.write(
                keys: keys, appID: app, channel: channel, ttlMs: ttlMs, maxEntries: maxEntries,
                envelope: Array("envelope".utf8)),
            script: .cacheSet)
    }

    private func cachedChannels(_ h: Harness, app: String = "app") async throws -> [String] {
        try await h.connection.send(["ZRANGE", keys.cacheIndex(app: app), "0", "-1"]).elements?.compactMap(\.string)
            ?? []
    }

    @Test func anAppKeepsAtMostItsBoundOfCacheEntriesTheOldestLeaveFirst() async throws {
        let h = try await Harness(keys: keys)
        for channel in ["cache-1", "cache-2", "cache-3", "cache-4", "cache-5"] {
            #expect(try await cacheWrite(h, channel, maxEntries: 3) == .integer(0))  // nobody on the bus
        }
        #expect(try await cachedChannels(h) == ["cache-3", "cache-4", "cache-5"])
        for (channel, kept) in [("cache-1", false), ("cache-2", false), ("cache-3", true), ("cache-5", true)] {
            let stored = try await h.connection.send(["GET", keys.cache(app: "app", channel: channel)])
            #expect(
                stored.bytes.flatMap(ClusterCacheEntry.init(stored:))
                    == (kept ? ClusterCacheEntry(event: "price", data: channel) : nil), "\(channel)")
        }
        // Writing a channel again keeps one entry for it, now the newest.
        _ = try await cacheWrite(h, "cache-3", maxEntries: 3)
        _ = try await cacheWrite(h, "cache-6", maxEntries: 3)
        #expect(try await cachedChannels(h) == ["cache-5", "cache-3", "cache-6"])
        // Another app's entries are bounded apart: they evict nothing of this one.
        for channel in ["cache-a", "cache-b", "cache-c", "cache-d"] {
            _ = try await cacheWrite(h, channel, app: "other", maxEntries: 3)
        }
        #expect(try await cachedChannels(h) == ["cache-5", "cache-3", "cache-6"])
        #expect(try await cachedChannels(h, app: "other") == ["cache-b", "cache-c", "cache-d"])
        // The index expires with its entries.
        let ttl = try await h.connection.send(["PTTL", keys.cacheIndex(app: "app")]).integer ?? -1
        #expect(ttl > 0 && ttl <= 60_000)
    }

    @Test func expiredCacheEntriesLeaveTheIndex() async throws {
        let h = try await Harness(keys: keys)
        _ = try await cacheWrite(h, "cache-long", maxEntries: 10)
        // A node with a shorter --cache-ttl: the index keeps the longer entry's lifetime.
        _ = try await cacheWrite(h, "cache-brief", ttlMs: 20, maxEntries: 10)
        #expect(try await h.connection.send(["PTTL", keys.cacheIndex(app: "app")]).integer ?? 0 > 50_000)
        let key = keys.cache(app: "app", channel: "cache-brief")
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while try await h.connection.send(["EXISTS", key]) != .integer(0) {
            try #require(clock.now < deadline, "Redis never expired the entry")
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = try await cacheWrite(h, "cache-next", maxEntries: 10)
        #expect(try await cachedChannels(h) == ["cache-long", "cache-next"])
    }

    @Test func parsesDueEventsAndNodeInfo() {
        #expect(DueEvent.parse("v\na\nc") == DueEvent(appID: "a", event: .channelVacated, channel: "c"))
        #expect(DueEvent.parse("r\na\nc\nu") == DueEvent(appID: "a", event: .memberRemoved, channel: "c", userID: "u"))
        #expect(DueEvent.parse("x\na\nc") == nil)
        #expect(DueEvent.parse("v\na") == nil)
        let info = NodeInfo(
            id: nodeA, address: "0.0.0.0:6001", version: "1", revision: "abc", startedMs: 5,
            connections: ["1001": 3, "1002": 4])
        #expect(NodeInfo.parse(info.json) == info)
        #expect(info.totalConnections == 7)
        #expect(NodeInfo.parse("not json") == nil)
    }
}
