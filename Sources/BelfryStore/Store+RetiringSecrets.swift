import BelfryManifest
import Foundation
internal import GRDB

/// Rotated secrets that keep verifying during their grace period (`rotate-secret`): kept here,
/// not in git, and attached to their apps each time a configuration is built.
extension Store {
    /// Keeps `secret` of app `name` verifying until `until` (seconds since 1970).
    public func addRetiringSecret(app name: String, secret: String, until: Int64) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO retiringSecret (app, secret, until) VALUES (?, ?, ?)",
                arguments: [name, secret, until])
        }
    }

    /// Every app's retiring secrets still in their grace at `now`, by app name; expired rows are
    /// deleted.
    public func retiringSecrets(now: Int64) async throws -> [String: [App.RetiringSecret]] {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM retiringSecret WHERE until <= ?", arguments: [now])
            var secrets: [String: [App.RetiringSecret]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT app, secret, until FROM retiringSecret ORDER BY until") {
                let app: String = row["app"]
                secrets[app, default: []].append(App.RetiringSecret(secret: row["secret"], until: row["until"]))
            }
            return secrets
        }
    }

    /// Forgets an app's retiring secrets (the app was deleted).
    public func dropRetiringSecrets(app name: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM retiringSecret WHERE app = ?", arguments: [name])
        }
    }
}
