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
        migrator.registerMigration("v2-stats") { db in
            // The counters of one period, identical in both tables (see `StatsCounters`).
            func counterColumns(_ t: TableDefinition) {
                for name in ["peakConnections", "connectionSampleSum", "connectionSamples", "newConnections"] {
                    t.column(name, .integer).notNull().defaults(to: 0)
                }
                t.column("disconnections", .jsonText).notNull().defaults(to: "{}")
                for name in ["subscriptions", "messagesReceived", "messagesDelivered"] {
                    t.column(name, .integer).notNull().defaults(to: 0)
                }
                t.column("apiRequests", .jsonText).notNull().defaults(to: "{}")
                for name in ["bytesIn", "bytesOut"] {
                    t.column(name, .integer).notNull().defaults(to: 0)
                }
                t.column("rejections", .jsonText).notNull().defaults(to: "{}")
                t.column("peakChannels", .integer).notNull().defaults(to: 0)
            }
            // Times are seconds since 1970 at the start of the UTC minute or hour.
            try db.create(table: "statsMinute") { t in
                t.column("app", .text).notNull()
                t.column("minute", .double).notNull()
                t.primaryKey(["app", "minute"])
                t.column("rolledUp", .boolean).notNull().defaults(to: false)
                counterColumns(t)
            }
            // Retention deletes by time across apps; the rollup reads only rows not rolled up yet.
            try db.create(index: "statsMinute_minute", on: "statsMinute", columns: ["minute"])
            try db.create(
                index: "statsMinute_pending", on: "statsMinute", columns: ["minute"],
                condition: Column("rolledUp") == false)
            try db.create(table: "statsHour") { t in
                t.column("app", .text).notNull()
                t.column("hour", .double).notNull()
                t.primaryKey(["app", "hour"])
                counterColumns(t)
            }
            try db.create(index: "statsHour_hour", on: "statsHour", columns: ["hour"])
        }
        migrator.registerMigration("v3-sessions") { db in
            // Status page sessions ended by logout before they expire (the cookie is the session;
            // this is the list that outlives it). Rows go when the session would have expired.
            try db.create(table: "revokedSession") { t in
                t.primaryKey("nonce", .text)
                t.column("expiresAt", .double).notNull()
            }
        }
        migrator.registerMigration("v4-webhooks") { db in
            // The webhook outbox: one row per event and endpoint (app name + url + slot, the
            // index among identical urls of the app), deleted once delivered or given up. AUTOINCREMENT:
            // id order is the order events were raised in.
            try db.create(table: "webhookOutbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("app", .text).notNull()
                t.column("url", .text).notNull()
                t.column("slot", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("payload", .text).notNull()
                t.column("createdAtMs", .integer).notNull()
            }
            try db.create(index: "webhookOutbox_endpoint", on: "webhookOutbox", columns: ["app", "url", "slot"])
        }
        migrator.registerMigration("v5-webhook-stats") { db in
            // Webhook outcomes per period, a map like the other breakdowns.
            for table in ["statsMinute", "statsHour"] {
                try db.alter(table: table) { t in t.add(column: "webhooks", .jsonText).notNull().defaults(to: "{}") }
            }
        }
        migrator.registerMigration("v6-retiring-secrets") { db in
            // A rotated secret that still verifies until its grace period ends (app name, the
            // former secret, until when in seconds since 1970). Rows go once expired.
            try db.create(table: "retiringSecret") { t in
                t.column("app", .text).notNull()
                t.column("secret", .text).notNull()
                t.column("until", .integer).notNull()
                t.primaryKey(["app", "secret"])
            }
        }
        return migrator
    }
}
