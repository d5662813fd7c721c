import Foundation

/// An app's statistics over a range, ready to render as a table, CSV or JSON.
///
/// Built by `Store.statsReport`, or from rows directly (tests, other sources of rows).
public struct StatsReport: Sendable, Equatable {
    /// When the app had the most concurrent connections, and how many.
    public struct Peak: Sendable, Equatable {
        /// The start of the period the peak was seen in.
        public var at: Date
        public var connections: Int
        /// The width of that period: a minute whenever minute rows reach the peak.
        public var period: StatsResolution

        public init(at: Date, connections: Int, period: StatsResolution) {
            self.at = at
            self.connections = connections
            self.period = period
        }
    }

    /// The app's `metadata.name`.
    public var app: String
    /// The range covered, whole periods, `to` exclusive.
    public var from: Date
    public var to: Date
    public var by: StatsResolution
    /// The periods with data, oldest first.
    public var rows: [StatsRow]
    /// All rows merged (counters summed, peaks the largest), dated `from`.
    public var totals: StatsRow
    /// The earliest period with the most connections; `nil` when no connection was seen.
    public var peak: Peak?

    /// A report of `rows`, computing the totals and the peak at the rows' resolution.
    public init(app: String, from: Date, to: Date, by: StatsResolution, rows: [StatsRow]) {
        self.app = app
        self.from = from
        self.to = to
        self.by = by
        self.rows = rows
        totals = rows.reduce(into: StatsRow(periodStart: from)) { $0.add($1) }
        peak = nil
        for row in rows where row.peakConnections > (peak?.connections ?? 0) {
            peak = Peak(at: row.periodStart, connections: row.peakConnections, period: by)
        }
    }
}
