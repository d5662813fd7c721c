internal import GRDB

extension Store {
    /// Applies one outbox change in a single transaction: endpoint removals, then deletes, then
    /// appends. Returns the ids of the appended rows, in order, and how many rows each removed
    /// endpoint still had (counted as dropped by the caller).
    public func applyWebhookOutbox(_ change: WebhookOutboxChange) async throws -> (
        ids: [Int64], removed: [WebhookEndpointRef: Int]
    ) {
        guard !change.isEmpty else { return ([], [:]) }
        return try await writer.write { db in
            var removed: [WebhookEndpointRef: Int] = [:]
            for endpoint in change.removedEndpoints {
                try db.execute(
                    sql: "DELETE FROM webhookOutbox WHERE app = ? AND url = ? AND slot = ?",
                    arguments: [endpoint.app, endpoint.url, endpoint.slot])
                removed[endpoint, default: 0] += db.changesCount
            }
            // SQLite's default limit on bound variables is 32766; stay far below it.
            var start = 0
            while start < change.deletes.count {
                let chunk = change.deletes[start..<min(start + 500, change.deletes.count)]
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                try db.execute(
                    sql: "DELETE FROM webhookOutbox WHERE id IN (\(marks))", arguments: StatementArguments(Array(chunk))
                )
                start += chunk.count
            }
            let insert = try db.makeStatement(
                sql: "INSERT INTO webhookOutbox (app, url, slot, name, payload, createdAtMs) VALUES (?, ?, ?, ?, ?, ?)")
            var ids: [Int64] = []
            ids.reserveCapacity(change.inserts.count)
            for row in change.inserts {
                try insert.execute(arguments: [row.app, row.url, row.slot, row.name, row.payload, row.createdAtMs])
                ids.append(db.lastInsertedRowID)
            }
            return (ids, removed)
        }
    }

    /// Every undelivered row, oldest first (read once at start-up).
    public func webhookOutbox() async throws -> [WebhookOutboxRow] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, app, url, slot, name, payload, createdAtMs FROM webhookOutbox ORDER BY id"
            ).map { row in
                WebhookOutboxRow(
                    id: row["id"], app: row["app"], url: row["url"], slot: row["slot"], name: row["name"],
                    payload: row["payload"], createdAtMs: row["createdAtMs"])
            }
        }
    }
}
