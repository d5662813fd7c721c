import BelfryManifest
import Foundation
internal import GRDB

extension Store {
    /// Records `snapshot` as the configuration now applied, replacing the previous one.
    ///
    /// The snapshot's secrets are written to the database (see `Store`), so the server can serve
    /// them again after a restart before the source answers.
    /// - Parameters:
    ///   - revision: the source revision applied.
    ///   - source: a description of the source, for the status page; never a URL with credentials.
    ///   - appliedAt: defaults to the store's clock.
    public func saveApplied(
        _ snapshot: ConfigSnapshot, revision: String, source: String, appliedAt: Date? = nil
    ) async throws {
        let applied = AppliedConfig(
            snapshot: snapshot, revision: revision, source: source, appliedAt: appliedAt ?? now())
        try await writer.write { db in
            try AppliedConfigRecord(applied).insert(db)
        }
    }

    /// The configuration last saved with `saveApplied`, or `nil` on a new database.
    public func lastApplied() async throws -> AppliedConfig? {
        try await writer.read { db in try AppliedConfigRecord.fetchOne(db)?.applied }
    }
}
