import Foundation
internal import GRDB

extension Store {
    /// Records that the status page session `nonce` ended by logout; kept until `expiresAt`,
    /// when the session would have expired anyway. Expired rows are deleted on the way.
    public func revokeSession(nonce: String, expiresAt: Date) async throws {
        let now = self.now().timeIntervalSince1970
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM revokedSession WHERE expiresAt <= ?", arguments: [now])
            try db.execute(
                sql: "INSERT OR REPLACE INTO revokedSession (nonce, expiresAt) VALUES (?, ?)",
                arguments: [nonce, expiresAt.timeIntervalSince1970])
        }
    }

    /// The sessions ended by logout that have not expired yet, with when they expire.
    public func revokedSessions() async throws -> [String: Date] {
        let now = self.now().timeIntervalSince1970
        return try await writer.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT nonce, expiresAt FROM revokedSession WHERE expiresAt > ?", arguments: [now])
            var revoked: [String: Date] = [:]
            for row in rows {
                revoked[row["nonce"]] = Date(timeIntervalSince1970: row["expiresAt"])
            }
            return revoked
        }
    }
}
