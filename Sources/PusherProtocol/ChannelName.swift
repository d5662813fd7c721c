import BelfryJSON

/// The kind of a channel, decided by its exact name prefix (longest match first), as hosted
/// Pusher does; peers that match `private` without the dash or unanchored get this wrong.
public struct ChannelKind: Sendable, Equatable {
    public enum Access: Sendable, Equatable {
        case `public`
        case `private`
        case privateEncrypted
        case presence
        /// `#server-to-user-<id>`: only the connection signed in as that user may subscribe.
        case serverToUser(userID: String)
    }

    public var access: Access
    /// Cache channels replay their last event to new subscribers.
    public var isCache: Bool

    /// Whether subscribing needs an `auth` signature.
    public var requiresAuth: Bool {
        switch access {
        case .private, .privateEncrypted, .presence: return true
        case .public, .serverToUser: return false
        }
    }

    /// Whether client events may be sent on the channel.
    public var allowsClientEvents: Bool {
        switch access {
        case .private, .privateEncrypted, .presence: return true
        case .public, .serverToUser: return false
        }
    }

    public var isPresence: Bool { access == .presence }
}

/// Channel name rules: allowed characters, length, prefixes.
public enum ChannelName {
    /// The maximum length the Pusher server SDKs accept.
    public static let maxLength = 200
    public static let serverToUserPrefix = "#server-to-user-"

    private static let prefixes: [(String, ChannelKind)] = [
        ("private-encrypted-cache-", ChannelKind(access: .privateEncrypted, isCache: true)),
        ("private-encrypted-", ChannelKind(access: .privateEncrypted, isCache: false)),
        ("private-cache-", ChannelKind(access: .private, isCache: true)),
        ("presence-cache-", ChannelKind(access: .presence, isCache: true)),
        ("private-", ChannelKind(access: .private, isCache: false)),
        ("presence-", ChannelKind(access: .presence, isCache: false)),
        ("cache-", ChannelKind(access: .public, isCache: true)),
    ]

    /// Why a channel name is refused.
    public enum Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case tooLong(Int)
        case badCharacter(String)
        case reservedPrefix

        public var description: String {
            switch self {
            case .empty: return "channel name is empty"
            case .tooLong(let n): return "channel name is \(n) characters long; the limit is \(ChannelName.maxLength)"
            case .badCharacter(let c):
                return "channel name contains \(JSONText.quoted(c)); allowed are A-Z a-z 0-9 _ - = @ , . ;"
            case .reservedPrefix: return "channel names starting with '#' are reserved"
            }
        }
    }

    /// Validates `name` and returns its kind.
    public static func classify(_ name: String) -> Result<ChannelKind, Invalid> {
        if name.hasPrefix(serverToUserPrefix) {
            let user = String(name.dropFirst(serverToUserPrefix.count))
            guard UserID.isValid(user) else { return .failure(.reservedPrefix) }
            return .success(ChannelKind(access: .serverToUser(userID: user), isCache: false))
        }
        let count = name.utf8.count
        if count == 0 { return .failure(.empty) }
        if count > maxLength { return .failure(.tooLong(count)) }
        for scalar in name.unicodeScalars where !isAllowed(scalar) {
            return .failure(scalar == "#" ? .reservedPrefix : .badCharacter(String(scalar)))
        }
        for (prefix, kind) in prefixes where name.hasPrefix(prefix) {
            return .success(kind)
        }
        return .success(ChannelKind(access: .public, isCache: false))
    }

    static func isAllowed(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-", "=", "@", ",", ".", ";": return true
        default: return false
        }
    }
}

/// User id rules shared by presence members and signed-in users.
public enum UserID {
    public static let maxLength = 128

    /// Non-empty, at most 128 characters, channel-name characters only.
    public static func isValid(_ id: String) -> Bool {
        let count = id.utf8.count
        return count > 0 && count <= maxLength && id.unicodeScalars.allSatisfy(ChannelName.isAllowed)
    }
}
