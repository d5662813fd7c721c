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

    /// The sessions ended by logout that have not expired yet.
    public func revokedSessions() async throws -> Set<String> {
        let now = self.now().timeIntervalSince1970
        return try await writer.read { db in
            Set(try String.fetchAll(db, sql: "SELECT nonce FROM revokedSession WHERE expiresAt > ?", arguments: [now]))
        }
    }
}
