import BelfryJSON
import PusherProtocol

/// `GET /channels`, `GET /channels/{name}`, `GET /channels/{name}/users`, terminate_connections.
extension PusherAPI {
    private func infoAttributes(_ request: HTTPRequest) -> [String] {
        (param(request, "info") ?? "").split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }

    func channels(_ request: HTTPRequest, hub: AppHub) -> HTTPResponse {
        let prefix = param(request, "filter_by_prefix") ?? ""
        let info = infoAttributes(request)
        for attribute in info where attribute != "user_count" && attribute != "subscription_count" {
            return error(.badRequest("Unknown info attribute \(JSONText.quoted(attribute)) for /channels"))
        }
        if info.contains("user_count"), !prefix.hasPrefix("presence-") {
            return error(.badRequest("info=user_count needs filter_by_prefix=presence-"))
        }
        let entries = hub.occupiedChannels(prefix: prefix).map { name, counts in
            var fields: [String] = []
            if info.contains("user_count") { fields.append("\"user_count\":\(counts.userCount ?? 0)") }
            if info.contains("subscription_count") {
                fields.append("\"subscription_count\":\(counts.subscriptionCount)")
            }
            return "\(JSONText.quoted(name)):{\(fields.joined(separator: ","))}"
        }
        return .json("{\"channels\":{\(entries.joined(separator: ","))}}")
    }

    func channel(_ name: String, request: HTTPRequest, hub: AppHub) -> HTTPResponse {
        let kind: ChannelKind
        switch ChannelName.classify(name) {
        case .success(let k): kind = k
        case .failure(let invalid): return error(.badRequest("Invalid channel name: \(invalid)"))
        }
        let info = infoAttributes(request)
        for attribute in info {
            switch attribute {
            case "user_count" where !kind.isPresence:
                return error(.badRequest("info=user_count is only available for presence channels"))
            case "cache" where !kind.isCache:
                return error(.badRequest("info=cache is only available for cache channels"))
            case "user_count", "subscription_count", "cache":
                continue
            default:
                return error(.badRequest("Unknown info attribute \(JSONText.quoted(attribute))"))
            }
        }
        let counts = hub.counts(channel: name)
        var fields = ["\"occupied\":\((counts?.subscriptionCount ?? 0) > 0)"]
        if info.contains("user_count") { fields.append("\"user_count\":\(counts?.userCount ?? 0)") }
        if info.contains("subscription_count") {
            fields.append("\"subscription_count\":\(counts?.subscriptionCount ?? 0)")
        }
        if info.contains("cache") {
            let ttl = UInt64(context.options.cacheTTL) * 1_000_000_000
            if let (entry, remaining) = hub.cached(channel: name, ttl: ttl, now: Now.nanoseconds) {
                let seconds = (remaining + 999_999_999) / 1_000_000_000
                fields.append(
                    "\"cache\":{\"event\":\(JSONText.quoted(entry.event)),\"data\":\(JSONText.quoted(entry.data)),\"ttl\":\(seconds)}"
                )
            } else {
                fields.append("\"cache\":null")
            }
        }
        return .json("{\(fields.joined(separator: ","))}")
    }

    func users(_ name: String, hub: AppHub) -> HTTPResponse {
        guard case .success(let kind) = ChannelName.classify(name), kind.isPresence else {
            return error(.badRequest("Users are only available for presence channels"))
        }
        let users = hub.presenceUserIDs(channel: name).map { "{\"id\":\(JSONText.quoted($0))}" }
        return .json("{\"users\":[\(users.joined(separator: ","))]}")
    }

    func terminate(_ userID: String, hub: AppHub) -> HTTPResponse {
        guard UserID.isValid(userID) else { return error(.badRequest("Invalid user id")) }
        let connections = hub.connections(ofUser: userID)
        for connection in connections {
            connection.onLoop { $0.close(CloseReason(.unauthorized, "You got disconnected by the app")) }
        }
        context.logger.info(
            "terminated user connections",
            metadata: LogFields.app(id: hub.appID, name: context.store.app(id: hub.appID)?.name).merging([
                "user_id": "\(userID)", "count": LogFields.number(connections.count),
            ]))
        return .json("{}")
    }
}
