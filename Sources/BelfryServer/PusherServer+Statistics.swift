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
