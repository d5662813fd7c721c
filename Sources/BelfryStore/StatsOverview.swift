import Foundation

/// Every app's statistics over one range, and their total: the answer to `belfry stats` without
/// `--app`.
public struct StatsOverview: Sendable, Equatable {
    /// The name the total goes by in CSV and JSON; never an app's `metadata.name` (a DNS label).
    public static let totalName = "*"

    /// One report per app, sorted by name (apps without data in the range have no rows).
    public var reports: [StatsReport]
    /// All apps together: each period's rows of every app merged with `StatsRow.addConcurrent`
    /// (counters add, peaks and averages of connections add up across apps).
    public var total: StatsReport

    /// The overview of `reports`, which all cover `from..<to` by `by`.
    public init(reports: [StatsReport], from: Date, to: Date, by: StatsResolution) {
        self.reports = reports.sorted { $0.app < $1.app }
        var periods: [Date: StatsRow] = [:]
        for row in reports.flatMap(\.rows) {
            periods[row.periodStart, default: StatsRow(periodStart: row.periodStart)].addConcurrent(row)
        }
        total = StatsReport(
            app: Self.totalName, from: from, to: to, by: by,
            rows: periods.values.sorted { $0.periodStart < $1.periodStart })
    }

    /// One line per app with its totals, then the total of all apps, each app's peak and the
    /// bandwidth of all apps. Ends with a newline.
    public func renderTable() -> String {
        var text = "all apps by \(total.by.rawValue), \(StatsReport.iso(total.from)) to \(StatsReport.iso(total.to))\n"
        text += StatsReport.alignedTable(
            header: "app",
            lines: reports.map { ($0.app, $0.totals) } + [("total", total.totals)])
        for report in reports + [total] {
            let name = report.app == Self.totalName ? "all apps" : report.app
            text += "peak usage, \(name): \(StatsReport.peakText(report.peak))\n"
        }
        text += "bandwidth, all apps: \(StatsReport.bandwidthText(total.totals))\n"
        return text
    }

    /// `app` then `StatsReport.csvHeader`: every app's periods, then the total's (app `*`).
    /// Ends with a newline.
    public func renderCSV() -> String {
        var text = (["app"] + StatsReport.csvHeader).joined(separator: ",") + "\n"
        for report in reports + [total] {
            for line in report.renderCSV().split(separator: "\n").dropFirst() {
                text += StatsReport.csvField(report.app) + "," + line + "\n"
            }
        }
        return text
    }

    /// `{"from","to","by","apps":[report…],"total":report}` where each report is
    /// `StatsReport.renderJSON`'s object (the total's app is `*`). One line.
    public func renderJSON() -> String {
        func object(_ report: StatsReport) -> String { String(report.renderJSON().dropLast()) }
        return "{\"from\":\"\(StatsReport.iso(total.from))\",\"to\":\"\(StatsReport.iso(total.to))\","
            + "\"by\":\"\(total.by.rawValue)\",\"apps\":[" + reports.map(object).joined(separator: ",")
            + "],\"total\":" + object(total) + "}\n"
    }
}
