import BelfryJSON

/// A presence member as announced in `channel_data` or signed in through `user_data`.
public struct PresenceMember: Sendable, Equatable {
    public var userID: String
    public var userInfo: JSONValue?

    public init(userID: String, userInfo: JSONValue?) {
        self.userID = userID
        self.userInfo = userInfo
    }

    /// Hosted Pusher's limit (the default of an app's `maxPresenceInfoBytes`).
    public static let maxUserInfoBytes = 1024

    /// Parses presence `channel_data`: `{"user_id": String|Number, "user_info": Object?}`, with
    /// a `user_info` of at most `maxUserInfoBytes` serialized (nil: not checked).
    public static func parse(
        channelData: String?, maxUserInfoBytes: Int? = Self.maxUserInfoBytes
    ) -> Result<PresenceMember, ClientMessage.Invalid> {
        guard let channelData else { return .failure(.init("Presence channels need channel_data")) }
        guard let value = try? JSONParser.parse(channelData), value.isObject else {
            return .failure(.init("channel_data must be a JSON object"))
        }
        let userID: String
        switch value["user_id"] {
        case .string(let s): userID = s
        case .number(let n): userID = n
        default: return .failure(.init("channel_data.user_id must be a string or a number"))
        }
        guard !userID.isEmpty, userID.utf8.count <= UserID.maxLength else {
            return .failure(.init("channel_data.user_id must be 1 to \(UserID.maxLength) characters"))
        }
        // Ids reach logs, webhooks and other clients' screens: no control characters.
        guard !userID.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }) else {
            return .failure(.init("channel_data.user_id must not contain control characters"))
        }
        let info = value["user_info"]
        if let info, let maxUserInfoBytes, info.serialized.utf8.count > maxUserInfoBytes {
            return .failure(.init("channel_data.user_info is larger than \(maxUserInfoBytes) bytes"))
        }
        return .success(PresenceMember(userID: userID, userInfo: info))
    }
}

/// The `user_data` of `pusher:signin`: `{"id": String, "user_info"?, "watchlist"?: [String]}`.
public struct SigninUser: Sendable, Equatable {
    public var id: String
    public var watchlist: [String]
    /// Whether the watchlist was cut to `maxWatchlist` ids.
    public var watchlistTruncated: Bool

    public static let maxWatchlist = 100

    public init(id: String, watchlist: [String] = [], watchlistTruncated: Bool = false) {
        self.id = id
        self.watchlist = watchlist
        self.watchlistTruncated = watchlistTruncated
    }

    public static func parse(userData: String?) -> Result<SigninUser, ClientMessage.Invalid> {
        guard let userData else { return .failure(.init("pusher:signin needs user_data")) }
        guard let value = try? JSONParser.parse(userData), value.isObject else {
            return .failure(.init("user_data must be a JSON object"))
        }
        guard let id = value["id"]?.stringValue, UserID.isValid(id) else {
            return .failure(
                .init("user_data.id must be a non-empty string of at most \(UserID.maxLength) channel-name characters"))
        }
        var watchlist: [String] = []
        if let list = value["watchlist"] {
            guard let items = list.arrayValue else { return .failure(.init("user_data.watchlist must be an array")) }
            for item in items {
                guard let s = item.stringValue, UserID.isValid(s) else {
                    return .failure(.init("user_data.watchlist must hold user id strings"))
                }
                if !watchlist.contains(s) { watchlist.append(s) }
            }
        }
        let truncated = watchlist.count > maxWatchlist
        return .success(
            SigninUser(id: id, watchlist: Array(watchlist.prefix(maxWatchlist)), watchlistTruncated: truncated))
    }
}
