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

/// The last event published on a cache channel.
struct CachedEvent {
    var event: String
    var data: String
    var storedAt: UInt64
}
