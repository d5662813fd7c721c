import BelfryStore
import Foundation
import Testing

@Suite struct MigrationTests {
    @Test func newFileIsCreatedPrivateAndMigrated() async throws {
        try await withDatabasePath { path in
            let store = try openStore(path)
            #expect(
                try await store.appliedMigrations() == [
                    "v1-reconciler", "v2-stats", "v3-sessions", "v4-webhooks", "v5-webhook-stats",
                    "v6-retiring-secrets",
                ])
            #expect(FileManager.default.fileExists(atPath: path))
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            try store.close()
        }
    }

    @Test func reopeningIsIdempotentAndKeepsData() async throws {
        try await withDatabasePath { path in
            let first = try openStore(path)
            try await first.storeCredential(app: "main", secret: "kept")
            try first.close()
            for _ in 0..<2 {
                let again = try openStore(path)
                #expect(
                    try await again.appliedMigrations() == [
                        "v1-reconciler", "v2-stats", "v3-sessions", "v4-webhooks", "v5-webhook-stats",
                        "v6-retiring-secrets",
                    ])
                #expect(try await again.credential(forApp: "main") == "kept")
                try again.close()
            }
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefused() async throws {
        try await withDatabasePath { path in
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try openStore(path)
            } throws: { error in
                guard case .cannotOpen(let failedPath, _) = error as? StoreError else { return false }
                return failedPath == path
            }
        }
    }

    @Test func inMemoryStoreIsMigrated() async throws {
        let store = try Store.openInMemory()
        #expect(
            try await store.appliedMigrations() == [
                "v1-reconciler", "v2-stats", "v3-sessions", "v4-webhooks", "v5-webhook-stats", "v6-retiring-secrets",
            ])
        #expect(try await store.lastApplied() == nil)
    }
}
