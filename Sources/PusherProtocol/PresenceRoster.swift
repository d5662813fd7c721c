import BelfryJSON

/// The members of one presence channel: one entry per user id however many connections that
/// user has, so `member_added` goes out on the first connection and `member_removed` on the last.
public struct PresenceRoster: Sendable {
    /// Hosted Pusher's limit of distinct members per presence channel (the default of an app's
    /// `maxPresenceMembers`).
    public static let maxMembers = 100

    private struct Entry: Sendable {
        var info: JSONValue?
        var connections: Int
    }

    private var order: [String] = []
    private var entries: [String: Entry] = [:]

    public init() {}

    public enum JoinOutcome: Sendable, Equatable {
        /// The user's first connection: announce `member_added` to the others.
        case firstConnection
        /// The user was already a member through another connection: announce nothing.
        case additionalConnection
        /// The channel already has `maxMembers` distinct users.
        case full
    }

    /// Records one more connection of `member`, unless it is a new user and the channel already
    /// has `maxMembers` (nil: no limit).
    public mutating func join(_ member: PresenceMember, maxMembers: Int? = Self.maxMembers) -> JoinOutcome {
        if var entry = entries[member.userID] {
            entry.connections += 1
            entries[member.userID] = entry
            return .additionalConnection
        }
        if let maxMembers, order.count >= maxMembers { return .full }
        entries[member.userID] = Entry(info: member.userInfo, connections: 1)
        order.append(member.userID)
        return .firstConnection
    }

    /// Records one connection of `userID` leaving; true when it was the user's last one.
    public mutating func leave(userID: String) -> Bool {
        guard var entry = entries[userID] else { return false }
        entry.connections -= 1
        if entry.connections > 0 {
            entries[userID] = entry
            return false
        }
        entries[userID] = nil
        order.removeAll { $0 == userID }
        return true
    }

    /// Distinct users, in the order they joined.
    public var members: [(id: String, info: JSONValue?)] {
        order.map { ($0, entries[$0]?.info) }
    }

    /// A member's open connections and `user_info`; nil when `userID` is not a member.
    public func entry(userID: String) -> (connections: Int, info: JSONValue?)? {
        entries[userID].map { ($0.connections, $0.info) }
    }

    public var userCount: Int { order.count }
    public var isEmpty: Bool { order.isEmpty }
    public func contains(userID: String) -> Bool { entries[userID] != nil }
}
