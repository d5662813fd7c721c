import BelfryManifest
import Testing

@testable import BelfryStore

/// A rotation's grace period: the former secret verifies until its time, then is forgotten.
@Suite struct RetiringSecretTests {
    @Test func retiringSecretsLastUntilTheirTimeAndGoAfterwards() async throws {
        let store = try Store.openInMemory()
        try await store.addRetiringSecret(app: "chat", secret: "old", until: 1_000)
        try await store.addRetiringSecret(app: "chat", secret: "older", until: 500)
        try await store.addRetiringSecret(app: "game", secret: "g", until: 2_000)
        var secrets = try await store.retiringSecrets(now: 400)
        #expect(secrets["chat"] == [.init(secret: "older", until: 500), .init(secret: "old", until: 1_000)])
        #expect(secrets["game"] == [.init(secret: "g", until: 2_000)])
        secrets = try await store.retiringSecrets(now: 999)
        #expect(secrets["chat"] == [.init(secret: "old", until: 1_000)])
        secrets = try await store.retiringSecrets(now: 1_000)
        #expect(secrets["chat"] == nil, "expired at its time")
        try await store.dropRetiringSecrets(app: "game")
        #expect(try await store.retiringSecrets(now: 0).isEmpty)
    }

    @Test func anAppVerifiesWithItsSecretAndTheRetiringOnesInTheirGrace() {
        var app = App(name: "chat", id: "1", key: "k", secret: "new")
        #expect(app.verificationSecrets(now: 0) == ["new"])
        app.retiringSecrets = [.init(secret: "old", until: 100), .init(secret: "new", until: 100)]
        #expect(app.verificationSecrets(now: 99) == ["new", "old"])
        #expect(app.verificationSecrets(now: 100) == ["new"])
        let snapshot = ConfigSnapshot(apps: [App(name: "chat", id: "1", key: "k", secret: "new")])
            .withRetiringSecrets(["chat": [.init(secret: "old", until: 100)]])
        #expect(snapshot.app(key: "k")?.verificationSecrets(now: 50) == ["new", "old"])
        #expect(snapshot.withRetiringSecrets([:]).apps[0].retiringSecrets.isEmpty, "a grace that ended is dropped")
    }
}
