import BelfryJSON
import NIOCore
import PusherProtocol

/// What the cluster link asks of this node: deliver what other nodes sent, report this node's
/// share of a channel, announce what Redis decided. All non-blocking.
extension PusherServer {
    /// Delivers a message from another node to this node's own sockets (never sent on again).
    /// `settled` runs once every event loop it was queued on has run it (at once when it went
    /// nowhere), so the cluster link can keep what it has queued on the loops bounded.
    public func deliver(_ message: ClusterMessage, settled: @escaping @Sendable () -> Void) {
        let receipt = FanOut.Receipt()
        queue(message, receipt: receipt)
        FanOut.settled(receipt.take(), then: settled)
    }

    private func queue(_ message: ClusterMessage, receipt: FanOut.Receipt) {
        switch message {
        case .channel(let appID, let channel, let except, let frame, let cache):
            // A hub exists while the app has connections here; a cache entry is kept for a
            // configured app even before its first connection.
            let hub =
                context.hubs.existing(appID)
                ?? (cache != nil && context.store.app(id: appID) != nil ? context.hubs.hub(for: appID) : nil)
            guard let hub else { return }
            if let cache {
                hub.storeCache(
                    channel: channel, event: cache.event, data: cache.data, now: Now.nanoseconds,
                    ttl: UInt64(context.options.cacheTTL) * 1_000_000_000,
                    maxEntries: context.options.maxCacheEntriesPerApp)
            }
            hub.publish(channel: channel, except: except, receipt: receipt) { ByteBuffer(bytes: frame) }
        case .user(let appID, let userID, let except, let frame):
            context.hubs.existing(appID)?.publish(
                toUser: userID, payload: ByteBuffer(bytes: frame), except: except, receipt: receipt)
        case .terminate(let appID, let userID):
            for connection in context.hubs.existing(appID)?.connections(ofUser: userID) ?? [] {
                connection.onLoop { $0.close(CloseReason(.unauthorized, "You got disconnected by the app")) }
            }
        case .member(let appID, let channel, let userID, let info, let joined):
            context.hubs.existing(appID)?.announceMember(
                channel: channel, userID: userID, info: info.flatMap { try? JSONParser.parse($0) }, joined: joined)
        }
    }

    /// This node's share of a channel: its subscriptions and presence users (`users`, or all).
    public func share(appID: String, channel: String, users: Set<String>?) -> ChannelShare {
        guard let hub = context.hubs.existing(appID) else {
            return ChannelShare(subscriptions: 0, users: (users ?? []).map { ($0, 0, nil) })
        }
        return hub.share(channel: channel, users: users)
    }

    /// Every channel with a subscriber on this node, for a full resync.
    public var localChannels: [(appID: String, channel: String)] {
        context.hubs.all.flatMap { hub in hub.channelNames.map { (hub.appID, $0) } }
    }

    /// Connections per app id on this node, for the heartbeat.
    public var localConnections: [String: Int] {
        var counts: [String: Int] = [:]
        for hub in context.hubs.all {
            let count = hub.connectionCount
            if count > 0 { counts[hub.appID] = count }
        }
        return counts
    }

    /// Announces members Redis found joining (first connection anywhere) or leaving (last one)
    /// to this node's subscribers of the channel and to the other nodes.
    public func announce(appID: String, channel: String, added: [(id: String, info: String?)], removed: [String]) {
        let hub = context.hubs.existing(appID)
        for member in added {
            context.cluster?.broadcast(
                .member(appID: appID, channel: channel, userID: member.id, info: member.info, joined: true))
            hub?.announceMember(
                channel: channel, userID: member.id, info: member.info.flatMap { try? JSONParser.parse($0) },
                joined: true)
        }
        for userID in removed {
            context.cluster?.broadcast(
                .member(appID: appID, channel: channel, userID: userID, info: nil, joined: false))
            hub?.announceMember(channel: channel, userID: userID, info: nil, joined: false)
        }
    }

    /// Sends the presence subscribers of `channel` on this node the whole roster again (a second
    /// `pusher_internal:subscription_succeeded`: pusher-js replaces its member list with it).
    public func refreshPresence(appID: String, channel: String, roster: [(id: String, info: String?)]) {
        let members = roster.map { member in
            (id: member.id, info: member.info.flatMap { try? JSONParser.parse($0) })
        }
        context.hubs.existing(appID)?.refreshRoster(channel: channel, members: members)
    }

    /// Webhook events decided (and delayed) cluster-wide: to the outbox as they are.
    public func raiseDecided(appID: String, _ events: [WebhookEvent]) {
        context.webhooks?.decided(appID: appID, events)
    }

    /// `subscription_count` with the cluster's count, through this node's throttle (at most one
    /// every 5 s per channel past 100 subscribers).
    public func raiseCount(appID: String, channel: String, count: Int) {
        guard let webhooks = context.webhooks, webhooks.wants(.subscriptionCount, appID: appID) else { return }
        webhooks.raise(
            appID: appID,
            WebhookEvent(.subscriptionCount, channel: channel, subscriptionCount: count, timeMs: WebhookEvent.nowMs))
    }
}
