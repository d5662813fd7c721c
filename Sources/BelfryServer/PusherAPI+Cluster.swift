import PusherProtocol

/// What a read of the HTTP API needs to know about channels, and where it learns it: this
/// node's hub when it runs alone, Redis in a cluster (so every node answers the same).
enum ChannelQuery: Sendable {
    /// Counts of these channels (an unoccupied one is absent from the answer); in a cluster, also
    /// the last event of the cache channel `cache` as Redis keeps it (this node has no copy).
    case counts([String], cache: String? = nil)
    /// Occupied channels whose name starts with the prefix, with their counts.
    case occupied(prefix: String)
    /// The user ids of a presence channel.
    case users(String)
}

struct ChannelQueryResult: Sendable {
    var counts: [String: ClusterChannelCounts] = [:]
    var users: [String] = []
    var cache: (entry: ClusterCacheEntry, remainingMs: Int)?
}

/// A handler's outcome: a response now, or a query and how to render its answer.
enum APIStep {
    case done(HTTPResponse)
    case read(ChannelQuery, render: @Sendable (ChannelQueryResult) -> HTTPResponse)
}

extension PusherAPI {
    /// Answers a query from this node's hub.
    static func resolve(_ query: ChannelQuery, hub: AppHub) -> ChannelQueryResult {
        func counts(_ local: AppHub.ChannelCounts) -> ClusterChannelCounts {
            ClusterChannelCounts(subscriptionCount: local.subscriptionCount, userCount: local.userCount ?? 0)
        }
        switch query {
        case .counts(let names, _):
            var result = ChannelQueryResult()
            for name in names { result.counts[name] = hub.counts(channel: name).map(counts) }
            return result
        case .occupied(let prefix):
            var result = ChannelQueryResult()
            for (name, local) in hub.occupiedChannels(prefix: prefix) { result.counts[name] = counts(local) }
            return result
        case .users(let channel):
            return ChannelQueryResult(users: hub.presenceUserIDs(channel: channel))
        }
    }

    /// Answers a query from Redis; 503 when the cluster cannot answer.
    static func resolve(
        _ query: ChannelQuery, appID: String, cluster: any ClusterLink,
        render: @escaping @Sendable (ChannelQueryResult) -> HTTPResponse
    ) -> PendingResponse {
        PendingResponse { done in
            let finish = { @Sendable (result: Result<ChannelQueryResult, ClusterUnavailable>) in
                switch result {
                case .success(let answer): done(render(answer))
                case .failure(let unavailable):
                    done(.json(APIError(503, "Cluster state unavailable: \(unavailable.reason)").body, status: 503))
                }
            }
            switch query {
            case .counts(let names, let cache):
                cluster.counts(appID: appID, channels: names) { counts in
                    guard let cache, case .success(let counts) = counts else {
                        return finish(counts.map { ChannelQueryResult(counts: $0) })
                    }
                    cluster.cachedEvent(appID: appID, channel: cache) { stored in
                        finish(.success(ChannelQueryResult(counts: counts, cache: stored)))
                    }
                }
            case .occupied(let prefix):
                cluster.occupiedChannels(appID: appID, prefix: prefix) {
                    finish($0.map { ChannelQueryResult(counts: $0) })
                }
            case .users(let channel):
                cluster.users(appID: appID, channel: channel) { finish($0.map { ChannelQueryResult(users: $0) }) }
            }
        }
    }
}
