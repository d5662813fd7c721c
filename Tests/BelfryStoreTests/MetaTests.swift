import BelfryStore
import Testing

@Suite struct MetaTests {
    @Test func tokenIsGeneratedOnceAndKeptAcrossReopen() async throws {
        try await withDatabasePath { path in
            let store = try openStore(path)
            let token = try await store.token()
            #expect(token.count == 64)
            #expect(try await store.token(orGenerate: { "other" }) == token)
            try store.close()

            let reopened = try openStore(path)
            #expect(try await reopened.token(orGenerate: { "other" }) == token)
            #expect(try await reopened.metaValue(forKey: Store.MetaKey.apiToken) == token)
            try reopened.close()
        }
    }

    @Test func tokenUsesTheGivenGenerator() async throws {
        let store = try Store.openInMemory()
        #expect(try await store.token(orGenerate: { "from-env" }) == "from-env")
    }

    @Test func headsAreKeptPerBranch() async throws {
        let store = try Store.openInMemory()
        #expect(try await store.lastSeenHead(branch: "main") == nil)
        try await store.recordHead("8e9d586", branch: "main")
        try await store.recordHead("9f77800", branch: "release")
        try await store.recordHead("a1b2c3d", branch: "main")
        #expect(try await store.lastSeenHead(branch: "main") == "a1b2c3d")
        #expect(try await store.lastSeenHead(branch: "release") == "9f77800")
    }

    @Test func settingNilRemovesAValue() async throws {
        let store = try Store.openInMemory()
        try await store.setMetaValue("x", forKey: "k")
        try await store.setMetaValue(nil, forKey: "k")
        #expect(try await store.metaValue(forKey: "k") == nil)
    }
}
