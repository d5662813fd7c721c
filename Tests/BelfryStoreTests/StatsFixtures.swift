import BelfryStore
import Foundation

/// 2023-11-14T22:00:00Z, a whole hour two hours before a UTC day boundary.
let statsHour0 = Date(timeIntervalSince1970: 1_699_999_200)

/// The start of minute `index` counted from `statsHour0` (60 is 23:00, 120 the next UTC day).
func statsMinute(_ index: Int) -> Date {
    statsHour0.addingTimeInterval(Double(index) * 60)
}

/// A delta for `app` at minute `index` whose counters all derive from `seed`, so sums are easy to check.
func statsDelta(_ app: String = "chat", minute index: Int, seed: Int, connections: [Int] = []) -> AppMinuteStats {
    var stats = AppMinuteStats(app: app, minute: statsMinute(index))
    for count in connections { stats.sampleConnections(count) }
    stats.newConnections = seed
    stats.disconnections = ["1000": seed, "4003": 1]
    stats.subscriptions = 2 * seed
    stats.messagesReceived = 3 * seed
    stats.messagesDelivered = 10 * seed
    stats.apiRequests = ["POST /events 200": seed]
    stats.bytesIn = 100 * seed
    stats.bytesOut = 1000 * seed
    stats.rejections = seed > 2 ? ["over quota": 1] : [:]
    stats.sampleChannels(seed)
    return stats
}

/// Every stored row of `app` merged into one, read at `resolution` over a range wide enough for every fixture.
func statsTotals(_ store: Store, app: String = "chat", by resolution: StatsResolution) async throws -> StatsRow {
    let report = try await store.statsReport(
        app: app, from: statsHour0.addingTimeInterval(-500 * 86400), to: statsHour0.addingTimeInterval(10 * 86400),
        by: resolution)
    var totals = report.totals
    totals.periodStart = statsHour0
    return totals
}
