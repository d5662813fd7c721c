import ArgumentParser
import BelfryStore
import Foundation

/// `belfry stats`: per-app history from the state database — peaks, traffic, bandwidth.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an app's statistics from the state database.",
        discussion: """
            Times are ISO 8601 (2026-11-26T00:00:00Z or 2026-11-26) or relative to now (-24h, -7d, -30m).
            Example: belfry stats --app chat --from -1d --by hour
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @Option(help: "The app's metadata.name.") var app: String
    @Option(help: "Start (default -24h).") var from: String = "-24h"
    @Option(help: "End (default now).") var to: String = "now"
    @Option(help: "Row size: minute, hour or day.") var by: StatsResolution = .hour
    @Option(help: "Output: table, csv or json.") var format: Format = .table
    @Option(help: "State directory of the server (env BELFRY_DATA_DIR).") var dataDir: String?

    func run() async throws {
        let directory = dataDir ?? Environment.value("data-dir") ?? ".belfry"
        let path = directory + "/" + Store.fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("no state database at \(path) (--data-dir)")
        }
        let now = Date()
        guard let start = StatsTime.parse(from, now: now) else { throw ValidationError("--from: cannot read \(from)") }
        guard let end = StatsTime.parse(to, now: now) else { throw ValidationError("--to: cannot read \(to)") }
        guard start < end else { throw ValidationError("--from must be before --to") }
        let report = try await Store.open(path: path).statsReport(app: app, from: start, to: end, by: by)
        switch format {
        case .table: print(report.renderTable(), terminator: "")
        case .csv: print(report.renderCSV(), terminator: "")
        case .json: print(report.renderJSON())
        }
    }
}

extension StatsResolution: ExpressibleByArgument {}

/// Times for stats queries: ISO 8601, a date, `now`, or `-<n>(m|h|d)`.
enum StatsTime {
    static func parse(_ text: String, now: Date) -> Date? {
        if text == "now" { return now }
        if text.hasPrefix("-"), let unit = text.last, let n = Double(text.dropFirst().dropLast()) {
            let seconds: Double? = ["m": 60, "h": 3600, "d": 86400][unit]
            return seconds.map { now.addingTimeInterval(-n * $0) }
        }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }
}
