import NIOCore
import NIOEmbedded
import PusherProtocol
import Testing

@testable import BelfryServer

/// The hub's bookkeeping with connections on embedded channels: what each socket receives.
@Suite struct HubTests {
    /// One event loop for every peer of a test, as on a server with one thread: a fan-out's
    /// flush runs at the end of that loop's tick.
    let loop = EmbeddedEventLoop()

    final class Peer {
        let channel: EmbeddedChannel
        let connection: Connection

        init(_ id: String, on loop: EmbeddedEventLoop) {
            channel = EmbeddedChannel(loop: loop)
            connection = Connection(
                socketID: id, appID: "1", transport: ChannelTransport(channel), loopIndex: 0, maxBacklog: 1 << 20)
        }

        /// Text frames written to this socket since the last call.
        func received() throws -> [String] {
            channel.embeddedEventLoop.run()  // fan-out flushes at the end of the loop's tick
            return try WrittenFrames.texts(channel)
        }
    }

    func member(_ id: String) -> PresenceMember { PresenceMember(userID: id, userInfo: nil) }

    @Test func memberAddedOnlyForTheFirstConnectionAndOnlyToOthers() throws {
        let hub = AppHub(appID: "1", loops: 1)
        let (a, b1, b2) = (Peer("1.1", on: loop), Peer("2.1", on: loop), Peer("2.2", on: loop))
        guard case .joined(let first) = hub.joinPresence(a.connection, channel: "presence-r", member: member("ua"))
        else {
            Issue.record("refused")
            return
        }
        #expect(first.map(\.id) == ["ua"])
        _ = hub.joinPresence(b1.connection, channel: "presence-r", member: member("ub"))
        _ = hub.joinPresence(b2.connection, channel: "presence-r", member: member("ub"))
        #expect(try a.received() == [ServerMessage.memberAdded(channel: "presence-r", userID: "ub", userInfo: nil)])
        #expect(try b1.received().isEmpty)
        #expect(try b2.received().isEmpty)
        #expect(hub.counts(channel: "presence-r")?.userCount == 2)
        #expect(hub.counts(channel: "presence-r")?.subscriptionCount == 3)

        hub.unsubscribe(b1.connection, channel: "presence-r", presenceUserID: "ub")
        #expect(try a.received().isEmpty)
        hub.unsubscribe(b2.connection, channel: "presence-r", presenceUserID: "ub")
        #expect(try a.received() == [ServerMessage.memberRemoved(channel: "presence-r", userID: "ub")])
        #expect(hub.presenceUserIDs(channel: "presence-r") == ["ua"])
    }

    @Test func publishSkipsTheExcludedSocketAndEmptyChannelsVanish() throws {
        let hub = AppHub(appID: "1", loops: 1)
        let (a, b) = (Peer("1.1", on: loop), Peer("1.2", on: loop))
        hub.subscribe(a.connection, channel: "news")
        hub.subscribe(b.connection, channel: "news")
        hub.publish(channel: "news", except: "1.2") { AppHub.payload("hello") }
        #expect(try a.received() == ["hello"])
        #expect(try b.received().isEmpty)
        #expect(hub.occupiedChannels(prefix: "").map(\.0) == ["news"])
        hub.unsubscribe(a.connection, channel: "news", presenceUserID: nil)
        hub.unsubscribe(b.connection, channel: "news", presenceUserID: nil)
        #expect(hub.occupiedChannels(prefix: "").isEmpty)
        #expect(hub.counts(channel: "news") == nil)
    }

    @Test func connectionQuota() {
        let hub = AppHub(appID: "1", loops: 1)
        let peers = (0..<3).map { Peer("1.\($0)", on: loop) }
        #expect(hub.admit(peers[0].connection, maxConnections: 2))
        #expect(hub.admit(peers[1].connection, maxConnections: 2))
        #expect(!hub.admit(peers[2].connection, maxConnections: 2))
        hub.remove(peers[0].connection, subscriptions: [:])
        #expect(hub.admit(peers[2].connection, maxConnections: 2))
    }

    @Test func watchlistOnlineAndOffline() throws {
        let hub = AppHub(appID: "1", loops: 1)
        let (watcher, watched) = (Peer("1.1", on: loop), Peer("1.2", on: loop))
        let user = SigninUser(id: "w", watchlist: ["t"], watchlistTruncated: false)
        watcher.connection.signedIn = user
        let status = hub.signin(watcher.connection, as: user)
        #expect(status.online.isEmpty && status.offline == ["t"])
        let target = SigninUser(id: "t", watchlist: [], watchlistTruncated: false)
        watched.connection.signedIn = target
        _ = hub.signin(watched.connection, as: target)
        #expect(try watcher.received() == [ServerMessage.watchlistEvents(online: ["t"], offline: [])])
        hub.remove(watched.connection, subscriptions: [:])
        #expect(try watcher.received() == [ServerMessage.watchlistEvents(online: [], offline: ["t"])])
    }

    @Test func cacheExpires() {
        let hub = AppHub(appID: "1", loops: 1)
        hub.storeCache(channel: "cache-a", event: "e", data: "d", now: 0, ttl: 10, maxEntries: 10)
        #expect(hub.cached(channel: "cache-a", ttl: 10, now: 5)?.remaining == 5)
        #expect(hub.cached(channel: "cache-a", ttl: 10, now: 10) == nil)
    }

    @Test func aFetchedCacheEntryExpiresWithTheClustersCopyAndNeverReplacesALiveOne() {
        let hub = AppHub(appID: "1", loops: 1)
        // Fetched at 100 with 4 left of 10: it expires at 104, as Redis's copy does.
        hub.keepFetchedCache(
            channel: "cache-a", event: "e", data: "old", remaining: 4, now: 100, ttl: 10, maxEntries: 10)
        #expect(hub.cached(channel: "cache-a", ttl: 10, now: 101)?.remaining == 3)
        #expect(hub.cached(channel: "cache-a", ttl: 10, now: 101)?.0.fetched == true)
        #expect(hub.cached(channel: "cache-a", ttl: 10, now: 104) == nil)
        // An event that arrived live meanwhile is as new or newer: it stays.
        hub.storeCache(channel: "cache-b", event: "e", data: "live", now: 200, ttl: 10, maxEntries: 10)
        hub.keepFetchedCache(
            channel: "cache-b", event: "e", data: "old", remaining: 9, now: 201, ttl: 10, maxEntries: 10)
        #expect(hub.cached(channel: "cache-b", ttl: 10, now: 202)?.0.data == "live")
        #expect(hub.cached(channel: "cache-b", ttl: 10, now: 202)?.0.fetched == false)
        // An expired one does not: the fetched entry takes its place. A remaining time longer
        // than this node's ttl (another node's --cache-ttl) is cut to it.
        hub.keepFetchedCache(
            channel: "cache-b", event: "e", data: "fetched", remaining: 50, now: 300, ttl: 10, maxEntries: 10)
        #expect(hub.cached(channel: "cache-b", ttl: 10, now: 300)?.remaining == 10)
        #expect(hub.cached(channel: "cache-b", ttl: 10, now: 300)?.0.data == "fetched")
        // Bounded as every entry is.
        for i in 0..<20 {
            hub.keepFetchedCache(
                channel: "cache-n\(i)", event: "e", data: "d", remaining: 5, now: 300, ttl: 10, maxEntries: 4)
        }
        #expect(hub.cacheCount == 4)
    }

    @Test func cacheIsBoundedWithoutReads() {
        let hub = AppHub(appID: "1", loops: 1)
        // Expired entries are swept when the cache is full, before anything young is dropped.
        for i in 0..<3 {
            hub.storeCache(channel: "cache-old\(i)", event: "e", data: "d", now: 0, ttl: 10, maxEntries: 4)
        }
        hub.storeCache(channel: "cache-young", event: "e", data: "d", now: 15, ttl: 10, maxEntries: 4)
        hub.storeCache(channel: "cache-new", event: "e", data: "d", now: 20, ttl: 10, maxEntries: 4)
        #expect(hub.cacheCount == 2)
        #expect(hub.cached(channel: "cache-young", ttl: 10, now: 20) != nil)
        // Nothing expired: the oldest goes, and the count never passes the bound.
        for i in 0..<100 {
            hub.storeCache(channel: "cache-n\(i)", event: "e", data: "d", now: 21, ttl: 10, maxEntries: 4)
        }
        #expect(hub.cacheCount == 4)
    }

    @Test func subscriberSetRemovesBySwapping() {
        var set = SubscriberSet()
        let peers = (0..<4).map { Peer("1.\($0)", on: loop) }
        for p in peers { set.insert(p.connection) }
        let insertedTwice = set.insert(peers[0].connection)
        let removed = set.remove(peers[1].connection)
        let removedTwice = set.remove(peers[1].connection)
        #expect(!insertedTwice && removed && !removedTwice)
        #expect(set.count == 3)
        #expect(Set(set.connections.map(\.socketID)) == ["1.0", "1.2", "1.3"])
    }

    @Test func signingKeyFollowsTheSecret() {
        let hub = AppHub(appID: "1", loops: 1)
        #expect(hub.signingKey(for: "a").secret == "a")
        #expect(hub.signingKey(for: "a").hex("m") == Signature.hmacHex(secret: "a", message: "m"))
        #expect(hub.signingKey(for: "b").hex("m") == Signature.hmacHex(secret: "b", message: "m"))
    }

    @Test func unsubscribingHalfOfAChannelLeavesExactlyTheOtherHalf() throws {
        let hub = AppHub(appID: "1", loops: 1)
        let peers = (0..<200).map { Peer("1.\($0)", on: loop) }
        for peer in peers { hub.subscribe(peer.connection, channel: "big") }
        for (index, peer) in peers.enumerated() where index % 2 == 0 {
            hub.unsubscribe(peer.connection, channel: "big", presenceUserID: nil)
        }
        #expect(hub.counts(channel: "big")?.subscriptionCount == 100)
        hub.publish(channel: "big", except: nil) { AppHub.payload("m") }
        for (index, peer) in peers.enumerated() {
            #expect(try peer.received() == (index % 2 == 0 ? [] : ["m"]))
        }
        for (index, peer) in peers.enumerated() where index % 2 == 1 {
            hub.unsubscribe(peer.connection, channel: "big", presenceUserID: nil)
        }
        #expect(hub.counts(channel: "big") == nil)
    }
}
