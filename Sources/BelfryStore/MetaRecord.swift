internal import GRDB

/// A row of `meta`: one small named value (the API token, the last head seen per branch).
struct MetaRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"

    var key: String
    var value: String
    var updatedAt: Double
}
