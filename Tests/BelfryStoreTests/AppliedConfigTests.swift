import BelfryManifest
import BelfryStore
import BelfryTestSupport
import Foundation
import Testing

@Suite struct AppliedConfigTests {
    /// Every field set away from its default, including a `nil` limit whose default is not `nil`.
    static let apps = [
        App(
            name: "chat", id: "2002", key: "chat-key", secret: "chat-secret", enabled: false,
            allowedOrigins: ["*.example.com", "example.org"], clientEvents: true, userAuthentication: true,
            limits: App.Limits(maxConnections: 1000, clientEventsPerSecond: nil, backendEventsPerSecond: 50),
            webhooks: [
                App.Webhook(url: "https://hooks.example.com/a", events: ["channel_occupied", "member_added"]),
                App.Webhook(url: "https://hooks.example.com/b", events: []),
            ]),
        Fixtures.app(),
    ]
    static let users = [
        User(name: "ada", email: "ada@example.com", passwordHash: "$2b$12$abcdefghijklmnopqrstuv"),
        User(
            name: "bob", email: "bob@example.com", passwordHash: "$2b$12$0123456789012345678901",
            apiTokens: [APIToken(name: "ci", sha256: String(repeating: "c", count: 64))]),
    ]

    @Test func newDatabaseHasNoAppliedConfiguration() async throws {
        try await withDatabasePath { path in
            let store = try openStore(path)
            #expect(try await store.lastApplied() == nil)
            try store.close()
        }
    }

    @Test func snapshotRoundTripsEveryFieldAcrossReopen() async throws {
        try await withDatabasePath { path in
            let snapshot = ConfigSnapshot(apps: Self.apps, users: Self.users, revision: "examples/config")
            let store = try openStore(path)
            try await store.saveApplied(snapshot, revision: "8e9d586aa1", source: "file:///srv/config#main")
            try store.close()

            let reopened = try openStore(path)
            let applied = try #require(try await reopened.lastApplied())
            #expect(applied.snapshot.apps == Self.apps)
            #expect(applied.snapshot.users == Self.users)
            #expect(applied.snapshot.revision == "examples/config")
            #expect(applied.snapshot.app(key: "chat-key")?.id == "2002")
            #expect(applied.revision == "8e9d586aa1")
            #expect(applied.source == "file:///srv/config#main")
            #expect(applied.appliedAt == fixedNow)
            try reopened.close()
        }
    }

    @Test func savingAgainReplacesTheLastApplied() async throws {
        let store = try Store.openInMemory(now: { fixedNow })
        try await store.saveApplied(ConfigSnapshot(apps: Self.apps), revision: "one", source: "dir")
        let later = fixedNow.addingTimeInterval(60)
        try await store.saveApplied(ConfigSnapshot(apps: []), revision: "two", source: "dir", appliedAt: later)
        let applied = try #require(try await store.lastApplied())
        #expect(applied.snapshot.apps.isEmpty)
        #expect(applied.snapshot.users.isEmpty)
        #expect(applied.revision == "two")
        #expect(applied.appliedAt == later)
    }
}
