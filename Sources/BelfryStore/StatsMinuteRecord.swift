internal import GRDB

/// A row of `statsMinute`: one app's counters for one UTC minute, maps as JSON text.
///
/// `rolledUp` says the row has been added to its `statsHour` row; a later delta for the same
/// minute is then added to both, so an hour row always equals the rolled-up minutes under it.
struct StatsMinuteRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "statsMinute"

    enum Columns {
        static let app = Column(CodingKeys.app)
        static let minute = Column(CodingKeys.minute)
        static let rolledUp = Column(CodingKeys.rolledUp)
        static let peakConnections = Column("peakConnections")
    }

    private enum CodingKeys: String, CodingKey {
        case app, minute, rolledUp
    }

    /// The app's `metadata.name`.
    var app: String
    /// The start of the minute, seconds since 1970.
    var minute: Double
    var rolledUp: Bool
    var counters: StatsCounters

    init(app: String, minute: Double, rolledUp: Bool = false, counters: StatsCounters) {
        self.app = app
        self.minute = minute
        self.rolledUp = rolledUp
        self.counters = counters
    }

    // The counters are flattened into columns of this row (one column per counter) rather than
    // nested, which GRDB would store as one JSON column.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        app = try container.decode(String.self, forKey: .app)
        minute = try container.decode(Double.self, forKey: .minute)
        rolledUp = try container.decode(Bool.self, forKey: .rolledUp)
        counters = try StatsCounters(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(app, forKey: .app)
        try container.encode(minute, forKey: .minute)
        try container.encode(rolledUp, forKey: .rolledUp)
        try counters.encode(to: encoder)
    }
}
