import BelfryManifest
import BelfryStore
import Testing

@Suite struct CredentialTests {
    @Test func generatedCredentialIsStableAcrossReopenAndUniquePerApp() async throws {
        try await withDatabasePath { path in
            let store = try openStore(path)
            #expect(try await store.credential(forApp: "main") == nil)
            let main = try await store.generateIfMissing(app: "main")
            let chat = try await store.generateIfMissing(app: "chat")
            #expect(main.count == 32)
            #expect(main.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(main != chat)
            #expect(try await store.generateIfMissing(app: "main") == main)
            try store.close()

            let reopened = try openStore(path)
            #expect(try await reopened.credential(forApp: "main") == main)
            #expect(try await reopened.generateIfMissing(app: "chat") == chat)
            try reopened.close()
        }
    }

    @Test func concurrentGenerationAgreesOnOneSecret() async throws {
        try await withDatabasePath { path in
            let store = try openStore(path)
            let secrets = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<16 { group.addTask { try await store.generateIfMissing(app: "main") } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(secrets.count == 1)
            #expect(try await store.credential(forApp: "main") == secrets.first)
            try store.close()
        }
    }

    /// An applied configuration without an app forgets its generated and retiring secrets (on
    /// every node, whoever deleted it); the apps it keeps keep theirs.
    @Test func applyingAConfigurationWithoutAnAppForgetsItsSecrets() async throws {
        let store = try Store.openInMemory()
        try await store.storeCredential(app: "gone", secret: "old-generated")
        try await store.storeCredential(app: "kept", secret: "kept-generated")
        try await store.addRetiringSecret(app: "gone", secret: "old-retiring", until: 4_000_000_000)
        try await store.addRetiringSecret(app: "kept", secret: "kept-retiring", until: 4_000_000_000)
        let kept = App(name: "kept", id: "1", key: "kept-key", secret: "kept-generated")
        try await store.saveApplied(ConfigSnapshot(apps: [kept]), revision: "r2", source: "dir")
        #expect(try await store.credential(forApp: "gone") == nil)
        #expect(try await store.credential(forApp: "kept") == "kept-generated")
        #expect(try await store.retiringSecrets(now: 0).keys.sorted() == ["kept"])
        try await store.saveApplied(ConfigSnapshot(apps: []), revision: "r3", source: "dir")
        #expect(try await store.credential(forApp: "kept") == nil)
        #expect(try await store.retiringSecrets(now: 0).isEmpty)
    }

    @Test func storedCredentialIsKeptAndReplaceable() async throws {
        let store = try Store.openInMemory()
        try await store.storeCredential(app: "main", secret: "first")
        #expect(try await store.generateIfMissing(app: "main") == "first")
        try await store.storeCredential(app: "main", secret: "second")
        #expect(try await store.credential(forApp: "main") == "second")
    }
}
