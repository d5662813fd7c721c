import BelfryManifest
import Foundation
internal import GRDB

/// The single row of `appliedConfig`; apps and users are JSON columns (GRDB encodes nested
/// Codable values as JSON text).
struct AppliedConfigRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "appliedConfig"

    private var id = 1
    var revision: String
    var source: String
    /// Seconds since 1970: exact for a Date, unlike GRDB's millisecond date text.
    var appliedAt: Double
    /// `ConfigSnapshot.revision`, kept apart from `revision` so a snapshot round-trips unchanged.
    var snapshotRevision: String
    var apps: [StoredApp]
    var users: [StoredUser]

    init(_ applied: AppliedConfig) {
        revision = applied.revision
        source = applied.source
        appliedAt = applied.appliedAt.timeIntervalSince1970
        snapshotRevision = applied.snapshot.revision
        apps = applied.snapshot.apps.map(StoredApp.init)
        users = applied.snapshot.users.map(StoredUser.init)
    }

    var applied: AppliedConfig {
        AppliedConfig(
            snapshot: ConfigSnapshot(apps: apps.map(\.app), users: users.map(\.user), revision: snapshotRevision),
            revision: revision, source: source, appliedAt: Date(timeIntervalSince1970: appliedAt))
    }
}
