import BelfryCluster
import BelfryManifest
import BelfryRedis
import BelfryTestSupport
import Testing

/// The shared credentials' commands against a real `redis-server`, sent as two nodes would.
@Suite(.serialized, .timeLimit(.minutes(1))) struct SharedCredentialsTests {
    let credentials = SharedCredentials(keys: ClusterKeys(prefix: "t"))

    /// A node's offer: its copy of the secret (`candidate`), or a fresh one (`fresh`, the default).
    func agree(
        _ h: ClusterScriptTests.Harness, _ app: String, _ candidate: String, fresh: String? = nil
    ) async throws -> String? {
        try await h.run(
            credentials.agree(app: app, candidate: candidate, fresh: fresh ?? candidate), script: .agree
        ).string
    }

    func retiring(_ h: ClusterScriptTests.Harness) async throws -> [String: [App.RetiringSecret]] {
        let answer = try await h.run(credentials.retiring(), script: .retiring)
        return try #require(SharedCredentials.parseRetiring(answer), "answer \(answer)")
    }

    func redisNow(_ h: ClusterScriptTests.Harness) async throws -> Int64 {
        let time = try await h.connection.send(["TIME"])
        return try #require(time.elements?.first?.string.flatMap { Int64($0) })
    }

    @Test func theFirstCandidateWinsAndTheSecondNodeGetsIt() async throws {
        let h = try await ClusterScriptTests.Harness(keys: credentials.keys)
        #expect(try await agree(h, "chat", "secret-of-a") == "secret-of-a")
        #expect(try await agree(h, "chat", "secret-of-b") == "secret-of-a")
        #expect(try await agree(h, "other", "secret-of-b") == "secret-of-b")
    }

    @Test func aReplacedSecretIsWhatTheNextNodeAgreesOn() async throws {
        let h = try await ClusterScriptTests.Harness(keys: credentials.keys)
        _ = try await agree(h, "chat", "old")
        _ = try await h.connection.pipeline([credentials.replace(app: "chat", secret: "new")])
        #expect(try await agree(h, "chat", "old") == "new")
    }

    @Test func afterForgetANewCandidateWinsAndRetiringSecretsGo() async throws {
        let h = try await ClusterScriptTests.Harness(keys: credentials.keys)
        let later = try await redisNow(h) + 3600
        _ = try await agree(h, "chat", "first")
        _ = try await h.connection.pipeline([
            credentials.addRetiring(app: "chat", secret: "older", until: later),
            credentials.addRetiring(app: "chatroom", secret: "kept", until: later),
        ])
        _ = try await h.run(credentials.forget(app: "chat"), script: .forgetCredentials)
        #expect(try await agree(h, "chat", "second") == "second")
        #expect(try await retiring(h) == ["chatroom": [App.RetiringSecret(secret: "kept", until: later)]])
    }

    /// A node that has not applied an app's deletion yet still offers its copy of the deleted
    /// secret: the fresh one it sends along is kept instead, and every node gets that one.
    @Test func aDeletedSecretNeverComesBackFromAStaleNode() async throws {
        let h = try await ClusterScriptTests.Harness(keys: credentials.keys)
        #expect(try await agree(h, "chat", "deleted") == "deleted")
        _ = try await h.run(credentials.forget(app: "chat"), script: .forgetCredentials)
        #expect(try await agree(h, "chat", "deleted", fresh: "fresh-of-b") == "fresh-of-b")
        #expect(try await agree(h, "chat", "deleted", fresh: "fresh-of-c") == "fresh-of-b")
        // Once agreed, the mark is gone: a later deletion and a new offer work the same way.
        _ = try await h.run(credentials.forget(app: "chat"), script: .forgetCredentials)
        #expect(try await agree(h, "chat", "fresh-of-b", fresh: "fresh-of-d") == "fresh-of-d")
        // An app never forgotten takes the first offer, a node's copy included.
        #expect(try await agree(h, "news", "copy-of-a", fresh: "fresh-of-a") == "copy-of-a")
    }

    /// A node that applies a deletion forgets the cluster's secret only if it is the one that
    /// node had: an app deleted and created again since keeps its new secret.
    @Test func aLateDeletionSparesTheSecretOfAnAppCreatedAgain() async throws {
        let h = try await ClusterScriptTests.Harness(keys: credentials.keys)
        _ = try await agree(h, "chat", "new-secret")
        let late = try await h.run(
            credentials.forget(app: "chat", ifSecretIs: "old-secret"), script: .forgetCredentials)
        #expect(late.integer == -1)
        #expect(try await agree(h, "chat", "other") == "new-secret")
        let current = try await h.run(
            credentials.forget(app: "chat", ifSecretIs: "new-secret"), script: .forgetCredentials)
        #expect(current.integer == 0)
        #expect(try await agree(h, "chat", "new-secret", fresh: "fresh") == "fresh")
    }

    @Test func expiredRetiringSecretsAreLeftOutAndRemoved() async throws {
        let h = try await ClusterScriptTests.Harness(keys: credentials.keys)
        let now = try await redisNow(h)
        _ = try await h.connection.pipeline([
            credentials.addRetiring(app: "chat", secret: "expired", until: now - 1),
            credentials.addRetiring(app: "chat", secret: "later", until: now + 600),
            credentials.addRetiring(app: "chat", secret: "sooner", until: now + 60),
            credentials.addRetiring(app: "news", secret: "also-expired", until: now),
        ])
        #expect(
            try await retiring(h) == [
                "chat": [
                    App.RetiringSecret(secret: "sooner", until: now + 60),
                    App.RetiringSecret(secret: "later", until: now + 600),
                ]
            ])
        #expect(try await h.connection.send(["HLEN", credentials.keys.retiring]).integer == 2)
    }
}
