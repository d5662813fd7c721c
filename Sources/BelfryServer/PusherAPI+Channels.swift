import BelfryJSON
import PusherProtocol

/// `GET /channels`, `GET /channels/{name}`, `GET /channels/{name}/users`, terminate_connections.
///
/// The reads are built in two steps: the request is checked and names what it needs to know
/// (`ChannelQuery`), then the answer is rendered from it. On one node the hub answers at once; in
/// a cluster Redis does (`PusherAPI+Cluster.swift`), so every node gives the same answer.
extension PusherAPI {
    private func infoAttributes(_ request: HTTPRequest) -> [String] {
        (param(request, "info") ?? "").split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }

    func channels(_ request: HTTPRequest) -> APIStep {
        let prefix = param(request, "filter_by_prefix") ?? ""
        let info = infoAttributes(request)
        for attribute in info where attribute != "user_count" && attribute != "subscription_count" {
            return .done(error(.badRequest("Unknown info attribute \(JSONText.quoted(attribute)) for /channels")))
        }
        if info.contains("user_count"), !prefix.hasPrefix("presence-") {
            return .done(error(.badRequest("info=user_count needs filter_by_prefix=presence-")))
        }
        return .read(.occupied(prefix: prefix)) { result in
            let entries = result.counts.sorted { $0.key < $1.key }.map { name, counts in
                var fields: [String] = []
                if info.contains("user_count") { fields.append("\"user_count\":\(counts.userCount)") }
                if info.contains("subscription_count") {
                    fields.append("\"subscription_count\":\(counts.subscriptionCount)")
                }
                return "\(JSONText.quoted(name)):{\(fields.joined(separator: ","))}"
            }
            return .json("{\"channels\":{\(entries.joined(separator: ","))}}")
        }
    }

    func channel(_ name: String, request: HTTPRequest, hub: AppHub) -> APIStep {
        let kind: ChannelKind
        switch ChannelName.classify(name) {
        case .success(let k): kind = k
        case .failure(let invalid): return .done(error(.badRequest("Invalid channel name: \(invalid)")))
        }
        let info = infoAttributes(request)
        for attribute in info {
            switch attribute {
            case "user_count" where !kind.isPresence:
                return .done(error(.badRequest("info=user_count is only available for presence channels")))
            case "cache" where !kind.isCache:
                return .done(error(.badRequest("info=cache is only available for cache channels")))
            case "user_count", "subscription_count", "cache":
                continue
            default:
                return .done(error(.badRequest("Unknown info attribute \(JSONText.quoted(attribute))")))
            }
        }
        // Every node keeps the cache channels' last events (they travel with the event); one
        // started after the event asks Redis.
        var cacheField: String?
        var cacheFromCluster: String?
        if info.contains("cache") {
            let ttl = UInt64(context.options.cacheTTL) * 1_000_000_000
            if let (entry, remaining) = hub.cached(channel: name, ttl: ttl, now: Now.nanoseconds) {
                let seconds = (remaining + 999_999_999) / 1_000_000_000
                cacheField = Self.cacheField(entry.event, entry.data, ttl: Int(seconds))
            } else if context.cluster != nil {
                cacheFromCluster = name
            } else {
                cacheField = "\"cache\":null"
            }
        }
        return .read(.counts([name], cache: cacheFromCluster)) { [cacheField] result in
            let counts = result.counts[name]
            var fields = ["\"occupied\":\((counts?.subscriptionCount ?? 0) > 0)"]
            if info.contains("user_count") { fields.append("\"user_count\":\(counts?.userCount ?? 0)") }
            if info.contains("subscription_count") {
                fields.append("\"subscription_count\":\(counts?.subscriptionCount ?? 0)")
            }
            if let cacheField {
                fields.append(cacheField)
            } else if info.contains("cache") {
                fields.append(
                    result.cache.map {
                        Self.cacheField($0.entry.event, $0.entry.data, ttl: ($0.remainingMs + 999) / 1000)
                    } ?? "\"cache\":null")
            }
            return .json("{\(fields.joined(separator: ","))}")
        }
    }

    /// `"cache":{"event":…,"data":…,"ttl":…}`, `ttl` the seconds left, rounded up.
    private static func cacheField(_ event: String, _ data: String, ttl: Int) -> String {
        "\"cache\":{\"event\":\(JSONText.quoted(event)),\"data\":\(JSONText.quoted(data)),\"ttl\":\(ttl)}"
    }

    func users(_ name: String) -> APIStep {
        guard case .success(let kind) = ChannelName.classify(name), kind.isPresence else {
            return .done(error(.badRequest("Users are only available for presence channels")))
        }
        return .read(.users(name)) { result in
            let users = result.users.map { "{\"id\":\(JSONText.quoted($0))}" }
            return .json("{\"users\":[\(users.joined(separator: ","))]}")
        }
    }

    func terminate(_ userID: String, hub: AppHub) -> HTTPResponse {
        guard UserID.isValid(userID) else { return error(.badRequest("Invalid user id")) }
        let connections = hub.connections(ofUser: userID)
        for connection in connections {
            connection.onLoop { $0.close(CloseReason(.unauthorized, "You got disconnected by the app")) }
        }
        context.cluster?.broadcast(.terminate(appID: hub.appID, userID: userID))
        context.logger.info(
            "terminated user connections",
            metadata: LogFields.app(id: hub.appID, name: context.store.app(id: hub.appID)?.name).merging([
                "user_id": "\(userID)", "count": LogFields.number(connections.count),
            ]))
        return .json("{}")
    }
}
