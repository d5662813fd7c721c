import BelfryManifest
import Foundation
internal import GRDB

extension Store {
    /// Answers a statistics query in one read transaction: one app's report, every app's with
    /// their total, or a busy-times profile (of one app, or of all apps together).
    ///
    /// ```swift
    /// let answer = try await store.answer(StatsQuery(app: nil, from: dayAgo, to: now, by: .hour))
    /// print(answer.render(.table), terminator: "")
    /// ```
    /// - Throws: `UnknownStatsApp` when `query.app` is neither configured nor in the statistics.
    public func answer(_ query: StatsQuery) async throws -> StatsAnswer {
        let configured = try await lastApplied()?.snapshot.apps.map(\.name) ?? []
        return try await writer.read { db in
            let known = Set(configured).union(try Self.statsAppNames(db)).sorted()
            if let app = query.app, !known.contains(app) { throw UnknownStatsApp(app: app, known: known) }
            let apps = query.app.map { [$0] } ?? known
            if query.profile {
                let (start, end) = Self.widen(from: query.from, to: query.to, by: .hour)
                var hours: [Date: StatsRow] = [:]
                for app in apps {
                    for row in try Self.rows(db, app: app, start: start, end: end, by: .hour) {
                        hours[row.periodStart, default: StatsRow(periodStart: row.periodStart)].addConcurrent(row)
                    }
                }
                return .profile(
                    StatsProfile(
                        app: query.app ?? StatsOverview.totalName, from: Date(timeIntervalSince1970: start),
                        to: Date(timeIntervalSince1970: end),
                        hourlyRows: hours.values.sorted { $0.periodStart < $1.periodStart }))
            }
            let (start, end) = Self.widen(from: query.from, to: query.to, by: query.by)
            if let app = query.app { return .app(try Self.report(db, app: app, start: start, end: end, by: query.by)) }
            let reports = try apps.map { try Self.report(db, app: $0, start: start, end: end, by: query.by) }
            var overview = StatsOverview(
                reports: reports, from: Date(timeIntervalSince1970: start), to: Date(timeIntervalSince1970: end),
                by: query.by)
            if query.by != .minute, let peak = overview.total.peak,
                let busiest = try Self.busiestMinuteOfAll(db, start: start, end: end),
                busiest.connections >= peak.connections
            {
                overview.total.peak = busiest
            }
            return .allApps(overview)
        }
    }

    /// The apps with any statistics stored.
    private static func statsAppNames(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT app FROM statsMinute UNION SELECT app FROM statsHour")
    }

    /// The earliest minute in `start..<end` with the most connections of all apps together.
    private static func busiestMinuteOfAll(_ db: Database, start: Double, end: Double) throws -> StatsReport.Peak? {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT minute, SUM(peakConnections) AS connections FROM statsMinute
                WHERE minute >= ? AND minute < ? GROUP BY minute ORDER BY connections DESC, minute LIMIT 1
                """,
            arguments: [start, end])
        guard let row, let minute = row["minute"] as Double?, let connections = row["connections"] as Int? else {
            return nil
        }
        return StatsReport.Peak(at: Date(timeIntervalSince1970: minute), connections: connections, period: .minute)
    }
}
