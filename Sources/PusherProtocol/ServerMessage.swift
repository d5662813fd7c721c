import BelfryJSON

/// Encoders for every server → client frame, with the exact shapes hosted Pusher sends:
/// `data` is a JSON-encoded string for connection_established, `pusher_internal:*` and channel
/// events, and an object for `pusher:error`, `pusher:pong`, `pusher:signin_success` and
/// watchlist events.
public enum ServerMessage {
    /// `pusher:connection_established`, whose `data` is a JSON object encoded as a string. A
    /// generated socket id (digits and a dot) needs no escape at either level, so the common case
    /// is one interpolation (this is on every connect).
    public static func connectionEstablished(socketID: String, activityTimeout: Int) -> String {
        guard socketID.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == UInt8(ascii: ".") }) else {
            let data = "{\"socket_id\":\(JSONText.quoted(socketID)),\"activity_timeout\":\(activityTimeout)}"
            return "{\"event\":\"pusher:connection_established\",\"data\":\(JSONText.quoted(data))}"
        }
        return
            "{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"\(socketID)\\\",\\\"activity_timeout\\\":\(activityTimeout)}\"}"
    }

    /// `pusher:error`; `code` nil for errors that do not close the connection.
    public static func error(code: UInt16?, message: String) -> String {
        let codeText = code.map(String.init) ?? "null"
        return "{\"event\":\"pusher:error\",\"data\":{\"code\":\(codeText),\"message\":\(JSONText.quoted(message))}}"
    }

    public static let pong = "{\"event\":\"pusher:pong\",\"data\":{}}"
    public static let ping = "{\"event\":\"pusher:ping\",\"data\":{}}"

    public static func subscriptionSucceeded(channel: String, data: String = "{}") -> String {
        "{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\(JSONText.quoted(channel)),\"data\":\(JSONText.quoted(data))}"
    }

    /// Soketi-style channel-scoped failure; pusher-js hands it to the channel's bindings
    /// (Laravel Echo's `.error()` callback).
    public static func subscriptionError(channel: String, type: String, error: String, status: Int) -> String {
        "{\"event\":\"pusher:subscription_error\",\"channel\":\(JSONText.quoted(channel)),\"data\":{\"type\":\(JSONText.quoted(type)),\"error\":\(JSONText.quoted(error)),\"status\":\(status)}}"
    }

    /// The presence payload of subscription_succeeded: ids, hash and count of unique users.
    public static func presenceData(members: [(id: String, info: JSONValue?)]) -> String {
        var ids = "["
        var hash = "{"
        for (i, member) in members.enumerated() {
            if i > 0 {
                ids += ","
                hash += ","
            }
            JSONText.appendQuoted(member.id, to: &ids)
            JSONText.appendQuoted(member.id, to: &hash)
            hash += ":"
            (member.info ?? .null).write(to: &hash)
        }
        return "{\"presence\":{\"ids\":\(ids)],\"hash\":\(hash)},\"count\":\(members.count)}}"
    }

    public static func memberAdded(channel: String, userID: String, userInfo: JSONValue?) -> String {
        var data = "{\"user_id\":\(JSONText.quoted(userID))"
        if let userInfo {
            data += ",\"user_info\":"
            userInfo.write(to: &data)
        }
        data += "}"
        return internalEvent("pusher_internal:member_added", channel: channel, data: data)
    }

    public static func memberRemoved(channel: String, userID: String) -> String {
        internalEvent(
            "pusher_internal:member_removed", channel: channel, data: "{\"user_id\":\(JSONText.quoted(userID))}")
    }

    public static func cacheMiss(channel: String) -> String {
        "{\"event\":\"pusher:cache_miss\",\"channel\":\(JSONText.quoted(channel))}"
    }

    public static func signinSuccess(userData: String) -> String {
        "{\"event\":\"pusher:signin_success\",\"data\":{\"user_data\":\(JSONText.quoted(userData))}}"
    }

    /// `pusher_internal:watchlist_events` with `online` and/or `offline` groups; empty groups omitted.
    public static func watchlistEvents(online: [String], offline: [String]) -> String {
        var events: [String] = []
        for (name, ids) in [("online", online), ("offline", offline)] where !ids.isEmpty {
            events.append("{\"name\":\"\(name)\",\"user_ids\":[\(ids.map(JSONText.quoted).joined(separator: ","))]}")
        }
        return
            "{\"event\":\"pusher_internal:watchlist_events\",\"data\":{\"events\":[\(events.joined(separator: ","))]}}"
    }

    /// A channel event from the HTTP API: `data` is forwarded as the string it was given.
    public static func channelEvent(event: String, channel: String, data: String, userID: String? = nil) -> String {
        var out =
            "{\"event\":\(JSONText.quoted(event)),\"channel\":\(JSONText.quoted(channel)),\"data\":\(JSONText.quoted(data))"
        if let userID { out += ",\"user_id\":\(JSONText.quoted(userID))" }
        out += "}"
        return out
    }

    /// A client event: `data` is forwarded as the JSON value the sender gave (object stays object).
    public static func clientEvent(event: String, channel: String, data: JSONValue, userID: String?) -> String {
        var out = "{\"event\":\(JSONText.quoted(event)),\"channel\":\(JSONText.quoted(channel)),\"data\":"
        data.write(to: &out)
        if let userID { out += ",\"user_id\":\(JSONText.quoted(userID))" }
        out += "}"
        return out
    }

    private static func internalEvent(_ event: String, channel: String, data: String) -> String {
        "{\"event\":\"\(event)\",\"channel\":\(JSONText.quoted(channel)),\"data\":\(JSONText.quoted(data))}"
    }
}
