import BelfryManifest
import Foundation
internal import GRDB

extension Store {
    /// Records `snapshot` as the configuration now applied, replacing the previous one, and
    /// forgets the generated and retiring secrets of apps it no longer has. Returns the
    /// generated secrets forgotten, by app name.
    ///
    /// The snapshot's secrets are written to the database (see `Store`), so the server can serve
    /// them again after a restart before the source answers.
    /// - Parameters:
    ///   - revision: the source revision applied.
    ///   - source: a description of the source, for the status page; never a URL with credentials.
    ///   - appliedAt: defaults to the store's clock.
    @discardableResult
    public func saveApplied(
        _ snapshot: ConfigSnapshot, revision: String, source: String, appliedAt: Date? = nil
    ) async throws -> [String: String] {
        let applied = AppliedConfig(
            snapshot: snapshot, revision: revision, source: source, appliedAt: appliedAt ?? now())
        let names = snapshot.apps.map(\.name)
        return try await writer.write { db in
            try AppliedConfigRecord(applied).insert(db)
            // The secrets of apps this configuration no longer has go with them: a new app of
            // that name gets new ones (on every node of a cluster, not only the one that was asked).
            let gone = CredentialRecord.filter(!names.contains(Column("app")))
            let forgotten = try gone.fetchAll(db)
            try gone.deleteAll(db)
            try Table("retiringSecret").filter(!names.contains(Column("app"))).deleteAll(db)
            return Dictionary(forgotten.map { ($0.app, $0.secret) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The configuration last saved with `saveApplied`, or `nil` on a new database.
    public func lastApplied() async throws -> AppliedConfig? {
        try await writer.read { db in try AppliedConfigRecord.fetchOne(db)?.applied }
    }
}
