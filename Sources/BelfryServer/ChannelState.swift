import BelfryJSON
import PusherProtocol

/// One occupied channel of an app: its subscribers per event loop and, for presence channels,
/// its roster.
struct ChannelState {
    var perLoop: [SubscriberSet]
    var subscriptionCount = 0
    var roster: PresenceRoster?

    init(loops: Int, presence: Bool) {
        perLoop = Array(repeating: SubscriberSet(), count: loops)
        roster = presence ? PresenceRoster() : nil
    }

    var groups: [ContiguousArray<Connection>] { perLoop.map(\.connections) }

    @discardableResult
    mutating func insert(_ connection: Connection) -> Bool {
        let added = perLoop[connection.loopIndex].insert(connection)
        if added { subscriptionCount += 1 }
        return added
    }

    @discardableResult
    mutating func remove(_ connection: Connection) -> Bool {
        let removed = perLoop[connection.loopIndex].remove(connection)
        if removed { subscriptionCount -= 1 }
        return removed
    }
}

extension ChannelState {
    /// Adds a presence member's connection unless the roster is full; returns the outcome, the
    /// roster and, on a user's first connection, the subscribers to tell (`member_added`).
    mutating func join(
        _ connection: Connection, member: PresenceMember, maxMembers: Int?
    ) -> (PresenceRoster.JoinOutcome, [(id: String, info: JSONValue?)], [ContiguousArray<Connection>]) {
        if roster == nil { roster = PresenceRoster() }
        let outcome = roster!.join(member, maxMembers: maxMembers)
        guard outcome != .full else { return (outcome, [], []) }
        insert(connection)
        return (outcome, roster!.members, outcome == .firstConnection ? groups : [])
    }
}

/// The last event published on a cache channel.
struct CachedEvent {
    var event: String
    var data: String
    var storedAt: UInt64
    /// Fetched from the cluster by a subscriber's replay (`AppHub.keepFetchedCache`) rather than
    /// published: the sockets subscribed meanwhile did not have it live.
    var fetched = false
}

/// One node's share of a channel (`AppHub.share`): what it writes to Redis in a cluster.
public struct ChannelShare: Sendable {
    public var subscriptions: Int
    /// Presence users: id, this node's connections of that user (0: gone), `user_info`.
    public var users: [(id: String, connections: Int, info: JSONValue?)]

    public init(subscriptions: Int, users: [(id: String, connections: Int, info: JSONValue?)] = []) {
        self.subscriptions = subscriptions
        self.users = users
    }
}
