internal import GRDB

/// A row of `statsHour`: one app's counters for one UTC hour, the sum of its rolled-up minutes.
struct StatsHourRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "statsHour"

    enum Columns {
        static let app = Column(CodingKeys.app)
        static let hour = Column(CodingKeys.hour)
    }

    private enum CodingKeys: String, CodingKey {
        case app, hour
    }

    /// The app's `metadata.name`.
    var app: String
    /// The start of the hour, seconds since 1970.
    var hour: Double
    var counters: StatsCounters

    init(app: String, hour: Double, counters: StatsCounters) {
        self.app = app
        self.hour = hour
        self.counters = counters
    }

    // Counters flattened into columns, as in `StatsMinuteRecord`.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        app = try container.decode(String.self, forKey: .app)
        hour = try container.decode(Double.self, forKey: .hour)
        counters = try StatsCounters(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(app, forKey: .app)
        try container.encode(hour, forKey: .hour)
        try counters.encode(to: encoder)
    }
}
