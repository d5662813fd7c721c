internal import GRDB

/// A row of `credential`: the secret generated for an app declared without one.
struct CredentialRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "credential"

    /// The app's `metadata.name`.
    var app: String
    var secret: String
    var createdAt: Double
}
