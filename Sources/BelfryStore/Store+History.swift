internal import GRDB

extension Store {
    /// Appends `pass` to the history and prunes all but the newest `historyLimit` passes, in one
    /// transaction. Returns the pass with its assigned `id`.
    @discardableResult
    public func appendPass(_ pass: ReconcilePass) async throws -> ReconcilePass {
        var record = PassRecord(pass)
        record.id = nil
        let limit = historyLimit
        let id = try await writer.write { [record] db in
            var record = record
            try record.insert(db)
            try db.execute(
                sql: """
                    DELETE FROM reconcilePass WHERE id <= (
                        SELECT id FROM reconcilePass ORDER BY id DESC LIMIT 1 OFFSET ?)
                    """,
                arguments: [limit])
            return record.id
        }
        var stored = pass
        stored.id = id
        return stored
    }

    /// The newest `limit` passes, newest first.
    public func recentPasses(limit: Int = 50) async throws -> [ReconcilePass] {
        try await writer.read { db in
            try PassRecord.order(PassRecord.Columns.id.desc).limit(limit).fetchAll(db).compactMap(\.pass)
        }
    }
}
