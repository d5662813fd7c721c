import Foundation

/// A statistics question as `belfry stats` and `GET /api/v1/stats` ask it.
public struct StatsQuery: Sendable, Equatable {
    /// One app's `metadata.name`, or nil for every app and their total.
    public var app: String?
    public var from: Date
    public var to: Date
    public var by: StatsResolution
    /// Hour-of-day and day-of-week busy times instead of periods (`by` is then ignored).
    public var profile: Bool

    public init(app: String?, from: Date, to: Date, by: StatsResolution = .hour, profile: Bool = false) {
        self.app = app
        self.from = from
        self.to = to
        self.by = by
        self.profile = profile
    }
}

/// What a `StatsQuery` answers, ready to render.
public enum StatsAnswer: Sendable, Equatable {
    case app(StatsReport)
    case allApps(StatsOverview)
    case profile(StatsProfile)

    /// The answer as a terminal table, CSV or JSON.
    public func render(_ format: StatsFormat) -> String {
        switch (self, format) {
        case (.app(let report), .table): report.renderTable()
        case (.app(let report), .csv): report.renderCSV()
        case (.app(let report), .json): report.renderJSON()
        case (.allApps(let overview), .table): overview.renderTable()
        case (.allApps(let overview), .csv): overview.renderCSV()
        case (.allApps(let overview), .json): overview.renderJSON()
        case (.profile(let profile), .table): profile.renderTable()
        case (.profile(let profile), .csv): profile.renderCSV()
        case (.profile(let profile), .json): profile.renderJSON()
        }
    }
}

/// The output formats of statistics.
public enum StatsFormat: String, Sendable, CaseIterable {
    case table, csv, json
}

/// A query named an app the database has never heard of (neither configured nor with statistics).
public struct UnknownStatsApp: Error, Sendable, Equatable, CustomStringConvertible {
    public var app: String
    /// The apps that exist, sorted.
    public var known: [String]

    public var description: String {
        "no app named \(app); apps: " + (known.isEmpty ? "none yet" : known.joined(separator: ", "))
    }
}
