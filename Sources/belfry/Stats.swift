import ArgumentParser
import BelfryStore
import Foundation

/// `belfry stats`: per-app history from the state database — peaks, traffic, bandwidth, busy times.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the apps' statistics from the state database.",
        discussion: """
            Without --app: one line per app and the total of all apps. Bytes are what crossed the wire: \
            WebSocket frames (headers included) and HTTP API requests and responses.
            Times are ISO 8601 (2026-11-26T00:00:00Z or 2026-11-26) or relative to now (-24h, -7d, -30m); \
            both --from -24h and --from=-24h work.
            --profile folds the range onto the hours of the day and the days of the week (UTC) with each \
            slot's peak and average connections and traffic per hour: when the busy times are.
            Examples:
              belfry stats --from -24h
              belfry stats --app chat --from -1d --by hour --format csv
              belfry stats --profile --from -30d
            """)

    // `.unconditional`: the value may start with a dash (`--from -24h`), which would otherwise be
    // read as an unknown flag.
    @Option(help: "An app's metadata.name (default: every app and their total).") var app: String?
    @Option(parsing: .unconditional, help: "Start: ISO 8601, a date or -24h style.") var from: String = "-24h"
    @Option(parsing: .unconditional, help: "End: ISO 8601, a date, -1h style or now.") var to: String = "now"
    @Option(help: "Row size: minute, hour or day.") var by: StatsResolution = .hour
    @Flag(help: "Busy times: peaks by hour of day and day of week (UTC) instead of rows by period.")
    var profile = false
    @Option(help: "Output: table, csv or json.") var format: StatsFormat = .table
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
        let query = StatsQuery(app: app, from: start, to: end, by: by, profile: profile)
        do {
            print(try await Store.open(path: path).answer(query).render(format), terminator: "")
        } catch let unknown as UnknownStatsApp {
            throw CommandFailure("--app: \(unknown)")
        }
    }
}

extension StatsResolution: ExpressibleByArgument {}
extension StatsFormat: ExpressibleByArgument {}

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
