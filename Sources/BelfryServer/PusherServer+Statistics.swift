/// Per-app counters of this node, for the stats flusher, `/metrics` and `/api/v1/apps`.
extension PusherServer {
    /// One configured app with its counters (zero when it never had traffic).
    public struct AppStatistics: Sendable {
        public var appID: String
        public var name: String
        public var enabled: Bool
        public var counters: AppCounters.Snapshot
    }

    /// Every configured app's counters; `resetPeaks` starts a new peak window (the flusher does).
    public func statistics(resetPeaks: Bool = false) -> [AppStatistics] {
        context.store.current.apps.map { app in
            let counters =
                context.hubs.existing(app.id)?.statistics(resetPeaks: resetPeaks) ?? AppCounters.Snapshot()
            return AppStatistics(appID: app.id, name: app.name, enabled: app.enabled, counters: counters)
        }
    }
}

extension PusherServer {
    /// An app's occupied presence channels and their member counts, most members first (at most
    /// `limit`), for the status page.
    public func presenceChannels(appID: String, limit: Int = 50) -> [(channel: String, members: Int)] {
        guard let hub = context.hubs.existing(appID) else { return [] }
        let channels = hub.occupiedChannels(prefix: "presence-").map { ($0.0, $0.1.userCount ?? 0) }
        return Array(channels.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit))
    }

    /// How long a task waits for an event loop now: the longest of every loop's answer to a
    /// no-op, in milliseconds (a busy or blocked loop shows here first).
    public func eventLoopLag() async -> Double {
        var worst = 0.0
        for loop in group.makeIterator() {
            let start = Now.nanoseconds
            _ = try? await loop.submit { () }.get()
            worst = max(worst, Double(Now.nanoseconds - start) / 1e6)
        }
        return worst
    }
}
