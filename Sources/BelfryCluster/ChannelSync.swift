import BelfryRedis
import BelfryServer

/// One call of `ClusterScript.sync`: a node's share of a channel, as the command to send and,
/// parsed back, what changed cluster-wide. Pure.
public struct ChannelSync: Sendable {
    public var node: String
    public var appID: String
    public var channel: String
    public var share: ChannelShare
    /// The node's users not in `share` have left (a resync, a reap).
    public var full: Bool
    public var maxMembers: Int?
    public var wantsRoster: Bool
    /// A reap of a dead node: does nothing if the node is alive again.
    public var reap: Bool
    /// How long `channel_vacated` and `member_removed` wait for a return (3 s, as Pusher).
    public var delayMs: Int = 3000

    public init(
        node: String, appID: String, channel: String, share: ChannelShare, full: Bool = false,
        maxMembers: Int? = nil, wantsRoster: Bool = false, reap: Bool = false
    ) {
        self.node = node
        self.appID = appID
        self.channel = channel
        self.share = share
        self.full = full
        self.maxMembers = maxMembers
        self.wantsRoster = wantsRoster
        self.reap = reap
    }

    var isPresence: Bool { channel.hasPrefix("presence-") }

    public func command(_ keys: ClusterKeys) -> [[UInt8]] {
        var arguments: [[UInt8]] = [
            node, appID, channel, String(share.subscriptions), isPresence ? "1" : "0", full ? "1" : "0",
            String(maxMembers ?? -1), wantsRoster ? "1" : "0", reap ? "1" : "0", String(delayMs),
        ].map { Array($0.utf8) }
        for user in share.users {
            arguments.append(Array(user.id.utf8))
            arguments.append(Array(String(user.connections).utf8))
            arguments.append(Array((user.info?.serialized ?? "").utf8))
        }
        return ClusterScript.sync.evalsha(
            keys: [
                keys.subscriptions(app: appID, channel: channel), keys.occupied(app: appID), keys.index(node),
                keys.nodeMembers(app: appID, channel: channel, node: node), keys.members(app: appID, channel: channel),
                keys.memberInfo(app: appID, channel: channel), keys.due, keys.cacheMiss(app: appID, channel: channel),
                keys.node(node),
            ], arguments: arguments)
    }

    /// What the script found.
    public struct Outcome: Sendable, Equatable {
        public struct Added: Sendable, Equatable {
            public var id: String
            public var info: String?
            /// False when the user came back within the delay: the pending `member_removed` was
            /// dropped and no `member_added` webhook is due either.
            public var webhook: Bool
        }

        public struct Member: Sendable, Equatable {
            public var id: String
            public var info: String?
        }

        public var before: Int
        public var after: Int
        /// The channel's first subscription anywhere, not a quick return: `channel_occupied`.
        public var occupied: Bool
        public var added: [Added]
        public var removed: [String]
        public var refused: [String]
        public var roster: [Member]
        public var userCount: Int
    }

    public enum Result: Sendable, Equatable {
        case done(Outcome)
        /// A reap found the node alive again: nothing was changed.
        case alive
    }

    /// Parses the script's answer; nil when it is not one (an error reply, say).
    public static func parse(_ value: RESPValue) -> Result? {
        guard let items = value.elements, let first = items.first?.integer else { return nil }
        if first == -1 { return .alive }
        guard items.count == 8, let after = items[1].integer, let occupied = items[2].integer,
            let added = items[3].elements?.compactMap(\.string), added.count % 3 == 0,
            let removed = items[4].elements?.compactMap(\.string),
            let refused = items[5].elements?.compactMap(\.string),
            let roster = items[6].elements?.compactMap(\.string), roster.count % 2 == 0,
            let userCount = items[7].integer
        else { return nil }
        func info(_ text: String) -> String? { text.isEmpty ? nil : text }
        return .done(
            Outcome(
                before: Int(first), after: Int(after), occupied: occupied == 1,
                added: stride(from: 0, to: added.count, by: 3).map {
                    Outcome.Added(id: added[$0], info: info(added[$0 + 1]), webhook: added[$0 + 2] == "1")
                },
                removed: removed, refused: refused,
                roster: stride(from: 0, to: roster.count, by: 2).map {
                    Outcome.Member(id: roster[$0], info: info(roster[$0 + 1]))
                },
                userCount: Int(userCount)))
    }
}

/// A delayed webhook event claimed from `P:due`: `v\nAPP\nCH` (vacated) or `r\nAPP\nCH\nUSER`
/// (member removed). Pure.
public struct DueEvent: Sendable, Equatable {
    public var appID: String
    public var event: WebhookEvent.Name
    public var channel: String
    public var userID: String?

    public init(appID: String, event: WebhookEvent.Name, channel: String, userID: String? = nil) {
        self.appID = appID
        self.event = event
        self.channel = channel
        self.userID = userID
    }

    public static func parse(_ text: String) -> DueEvent? {
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("v", 3): return DueEvent(appID: parts[1], event: .channelVacated, channel: parts[2])
        case ("r", 4): return DueEvent(appID: parts[1], event: .memberRemoved, channel: parts[2], userID: parts[3])
        default: return nil
        }
    }
}
