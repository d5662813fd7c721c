internal import GRDB

extension Store {
    /// The schema, one named migration per change. Never edit a registered migration: add one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-reconciler") { db in
            // Single row (GRDB `SingleRowTables.md`): inserts replace it, the id is always 1.
            try db.create(table: AppliedConfigRecord.databaseTableName) { t in
                t.primaryKey("id", .integer, onConflict: .replace).check { $0 == 1 }
                t.column("revision", .text).notNull()
                t.column("source", .text).notNull()
                t.column("appliedAt", .double).notNull()
                t.column("snapshotRevision", .text).notNull()
                t.column("apps", .jsonText).notNull()
                t.column("users", .jsonText).notNull()
            }
            try db.create(table: CredentialRecord.databaseTableName) { t in
                t.primaryKey("app", .text)
                t.column("secret", .text).notNull()
                t.column("createdAt", .double).notNull()
            }
            // AUTOINCREMENT: ids of pruned passes are never reused, so id order is append order.
            // trigger and result are not CHECKed so a new case needs no table rebuild.
            try db.create(table: PassRecord.databaseTableName) { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("startedAt", .double).notNull()
                t.column("finishedAt", .double).notNull()
                t.column("durationMs", .integer).notNull()
                t.column("trigger", .text).notNull()
                t.column("revision", .text)
                t.column("shortRevision", .text)
                t.column("author", .text)
                t.column("message", .text)
                t.column("planSummary", .text)
                t.column("result", .text).notNull()
                t.column("error", .text)
            }
            try db.create(table: MetaRecord.databaseTableName) { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
                t.column("updatedAt", .double).notNull()
            }
        }
        return migrator
    }
}
