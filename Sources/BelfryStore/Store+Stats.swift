import Foundation
internal import GRDB

extension Store {
    /// How long minute rows are kept unless `rollUpStats` is told otherwise: 7 days.
    public static let defaultStatsMinuteRetention: TimeInterval = 7 * 86400
    /// How long hourly rows are kept unless `rollUpStats` is told otherwise: 400 days.
    public static let defaultStatsHourRetention: TimeInterval = 400 * 86400

    /// Adds a flush's deltas to the minute rows, in one transaction.
    ///
    /// Deltas for the same app and minute are merged first; all-zero deltas are skipped. A delta
    /// for a minute already rolled up is added to its hourly row too, so a late flush is neither
    /// lost nor counted twice.
    public func recordMinuteStats(_ batch: [AppMinuteStats]) async throws {
        var deltas: [PeriodKey: StatsCounters] = [:]
        for stats in batch {
            let minute = StatsResolution.minute.floor(stats.minute.timeIntervalSince1970)
            deltas[PeriodKey(app: stats.app, start: minute), default: StatsCounters()].add(stats.counters)
        }
        let pending = deltas.filter { !$0.value.isZero }.sorted { $0.key < $1.key }
        guard !pending.isEmpty else { return }
        try await writer.write { db in
            for (key, delta) in pending {
                let id: [String: any DatabaseValueConvertible] = ["app": key.app, "minute": key.start]
                guard var record = try StatsMinuteRecord.fetchOne(db, key: id) else {
                    try StatsMinuteRecord(app: key.app, minute: key.start, counters: delta).insert(db)
                    continue
                }
                record.counters.add(delta)
                try record.update(db)
                if record.rolledUp {
                    try Self.addToHour(db, app: key.app, hour: StatsResolution.hour.floor(key.start), delta)
                }
            }
        }
    }

    /// Folds the minutes of every complete hour (ended at or before `now`) into hourly rows, then
    /// applies retention, in one transaction. Call it every few minutes; it is idempotent.
    ///
    /// A row is deleted once its whole period is older than its retention. Minute rows of the
    /// current hour are never deleted, and hourly rows are kept at least as long as minute rows,
    /// so every minute is always counted by some hourly row or pending minute row.
    public func rollUpStats(
        now: Date, minuteRetention: TimeInterval = defaultStatsMinuteRetention,
        hourRetention: TimeInterval = defaultStatsHourRetention
    ) async throws {
        let time = now.timeIntervalSince1970
        let currentHour = StatsResolution.hour.floor(time)
        let minuteCutoff = min(time - minuteRetention, currentHour)
        let hourCutoff = time - max(hourRetention, minuteRetention)
        try await writer.write { db in
            let rolledUp = StatsMinuteRecord.Columns.rolledUp
            let minute = StatsMinuteRecord.Columns.minute
            let pending = StatsMinuteRecord.filter(rolledUp == false && minute < currentHour)
            var hours: [PeriodKey: StatsCounters] = [:]
            for record in try pending.fetchAll(db) {
                let key = PeriodKey(app: record.app, start: StatsResolution.hour.floor(record.minute))
                hours[key, default: StatsCounters()].add(record.counters)
            }
            for (key, counters) in hours.sorted(by: { $0.key < $1.key }) {
                try Self.addToHour(db, app: key.app, hour: key.start, counters)
            }
            try pending.updateAll(db, rolledUp.set(to: true))
            try StatsMinuteRecord.filter(rolledUp == true && minute <= minuteCutoff - 60).deleteAll(db)
            try StatsHourRecord.filter(StatsHourRecord.Columns.hour <= hourCutoff - 3600).deleteAll(db)
        }
    }

    /// The periods of `app` with any statistics between `from` and `to`, oldest first.
    ///
    /// The range is widened to whole periods (`from` rounded down, `to` up; `to` is exclusive).
    /// Minute rows exist for the minute retention only; hours and days read the hourly rows plus
    /// the minutes not rolled up yet, so every resolution gives the same totals. Periods without
    /// data are left out.
    public func stats(app: String, from: Date, to: Date, by resolution: StatsResolution) async throws -> [StatsRow] {
        let (start, end) = Self.widen(from: from, to: to, by: resolution)
        return try await writer.read { db in try Self.rows(db, app: app, start: start, end: end, by: resolution) }
    }

    /// A report of `app`'s statistics (rows, totals, peak) read in one transaction.
    ///
    /// The peak is placed at minute precision whenever minute rows reach it, whatever `by` is.
    ///
    /// ```swift
    /// let report = try await store.statsReport(app: "chat", from: dayAgo, to: now, by: .hour)
    /// print(report.renderTable(), terminator: "")
    /// ```
    public func statsReport(app: String, from: Date, to: Date, by resolution: StatsResolution) async throws
        -> StatsReport
    {
        let (start, end) = Self.widen(from: from, to: to, by: resolution)
        return try await writer.read { db in try Self.report(db, app: app, start: start, end: end, by: resolution) }
    }

    /// The report of one app over whole periods `start..<end`, within a read transaction.
    static func report(_ db: Database, app: String, start: Double, end: Double, by resolution: StatsResolution)
        throws -> StatsReport
    {
        let rows = try Self.rows(db, app: app, start: start, end: end, by: resolution)
        var report = StatsReport(
            app: app, from: Date(timeIntervalSince1970: start), to: Date(timeIntervalSince1970: end), by: resolution,
            rows: rows)
        if resolution != .minute, let peak = report.peak,
            let busiest = try Self.busiestMinute(db, app: app, start: start, end: end),
            busiest.connections >= peak.connections
        {
            report.peak = busiest
        }
        return report
    }

    /// The earliest minute row of `app` in `start..<end` with the most connections.
    private static func busiestMinute(_ db: Database, app: String, start: Double, end: Double) throws
        -> StatsReport.Peak?
    {
        let minute = StatsMinuteRecord.Columns.minute
        let inRange = StatsMinuteRecord.Columns.app == app && minute >= start && minute < end
        let busiest = try StatsMinuteRecord.filter(inRange)
            .order(StatsMinuteRecord.Columns.peakConnections.desc, minute).fetchOne(db)
        return busiest.map {
            StatsReport.Peak(
                at: Date(timeIntervalSince1970: $0.minute), connections: $0.counters.peakConnections, period: .minute)
        }
    }

    /// The whole periods of `by` covering `from..<to`, as seconds since 1970.
    static func widen(from: Date, to: Date, by resolution: StatsResolution) -> (Double, Double) {
        (resolution.floor(from.timeIntervalSince1970), resolution.ceil(to.timeIntervalSince1970))
    }

    static func rows(_ db: Database, app: String, start: Double, end: Double, by resolution: StatsResolution)
        throws -> [StatsRow]
    {
        guard start < end else { return [] }
        let minute = StatsMinuteRecord.Columns.minute
        let minutes = StatsMinuteRecord.filter(StatsMinuteRecord.Columns.app == app && minute >= start && minute < end)
        var periods: [Double: StatsCounters] = [:]
        if resolution == .minute {
            for record in try minutes.fetchAll(db) {
                periods[record.minute, default: StatsCounters()].add(record.counters)
            }
        } else {
            let hour = StatsHourRecord.Columns.hour
            let hours = StatsHourRecord.filter(StatsHourRecord.Columns.app == app && hour >= start && hour < end)
            for record in try hours.fetchAll(db) {
                periods[resolution.floor(record.hour), default: StatsCounters()].add(record.counters)
            }
            // Rolled-up minutes are already in their hourly row.
            for record in try minutes.filter(StatsMinuteRecord.Columns.rolledUp == false).fetchAll(db) {
                periods[resolution.floor(record.minute), default: StatsCounters()].add(record.counters)
            }
        }
        return periods.sorted { $0.key < $1.key }.map { start, counters in
            StatsRow(periodStart: Date(timeIntervalSince1970: start), counters: counters)
        }
    }

    /// Adds `counters` to the hourly row of `app` at `hour`, creating it if missing.
    private static func addToHour(_ db: Database, app: String, hour: Double, _ counters: StatsCounters) throws {
        let id: [String: any DatabaseValueConvertible] = ["app": app, "hour": hour]
        if var record = try StatsHourRecord.fetchOne(db, key: id) {
            record.counters.add(counters)
            try record.update(db)
        } else {
            try StatsHourRecord(app: app, hour: hour, counters: counters).insert(db)
        }
    }
}

/// One app's period, the key under which deltas are merged before they are written.
private struct PeriodKey: Hashable, Comparable {
    var app: String
    var start: Double

    static func < (lhs: PeriodKey, rhs: PeriodKey) -> Bool {
        (lhs.app, lhs.start) < (rhs.app, rhs.start)
    }
}
