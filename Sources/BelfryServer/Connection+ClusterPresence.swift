/// What a connection was told of a presence channel's members, in a cluster.
///
/// On one node the hub orders joins, leaves and rosters under one lock. Across nodes a member
/// event travels on the bus while a roster is read from Redis on another connection, so a
/// client could get `member_added` for a member its roster already had (pusher-js would tell the
/// app twice) or miss one that joined while its own join waited. So each connection keeps the
/// ids it was told per presence channel, and member events are passed through them: an add for
/// a member it has, or a removal of one it has not, is not sent; events that arrive while its
/// join waits for the cluster's roster are held and passed through that roster when it comes.
struct MemberEvent: Sendable {
    var userID: String
    var joined: Bool
    var frame: String
}

extension Connection {
    /// Events held per channel while a join waits (a few milliseconds); past this many the
    /// oldest go (the roster, read later, covers them).
    static let maxHeldMemberEvents = 256

    /// Sends `event` unless the connection knows it already. Called on `loop`.
    func tell(_ event: MemberEvent, channel: String) {
        guard subscriptions[channel] != nil else { return }
        guard var told = toldMembers[channel] else {
            var held = heldMemberEvents[channel] ?? []
            if held.count >= Self.maxHeldMemberEvents { held.removeFirst() }
            held.append(event)
            heldMemberEvents[channel] = held
            return
        }
        if event.joined {
            guard told.insert(event.userID).inserted else { return }
        } else {
            guard told.remove(event.userID) != nil else { return }
        }
        toldMembers[channel] = told
        send(event.frame)
    }

    /// Sends a roster (`subscription_succeeded`, first or again) and makes it what the connection
    /// knows; then the events held meanwhile, through it. Called on `loop`.
    func tellRoster(channel: String, ids: [String], frame: String) {
        send(frame)
        toldMembers[channel] = Set(ids)
        for event in heldMemberEvents.removeValue(forKey: channel) ?? [] { tell(event, channel: channel) }
    }

    /// The connection left the channel: nothing of it is kept.
    func forgetMembers(channel: String) {
        toldMembers[channel] = nil
        heldMemberEvents[channel] = nil
    }
}
