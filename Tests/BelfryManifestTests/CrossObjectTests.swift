import BelfryManifest
import Testing

/// Rules over all files together: names, app ids, app keys and user emails are unique.
@Suite struct CrossObjectTests {
    private func set(_ files: [(String, String)]) -> ManifestSet {
        ManifestSet(files.map { ManifestDecoder.decode(yaml: $0.1, file: $0.0) })
    }

    @Test func duplicateNameIdAndKeyInAnotherFileAreReportedAtTheLaterOne() {
        let manifests = set([("a.yaml", chatApp), ("b.yaml", chatApp)])
        #expect(
            manifests.errors.map(\.description) == [
                "b.yaml:4:9: error: /metadata/name: duplicate App name \"chat\" (already used by App \"chat\" at a.yaml:4:9)",
                "b.yaml:6:7: error: /spec/id: duplicate app id \"1001\" (already used by App \"chat\" at a.yaml:6:7)",
                "b.yaml:7:8: error: /spec/key: duplicate app key \"chat-key\" (already used by App \"chat\" at a.yaml:7:8)",
            ])
    }

    @Test func duplicateKeyAloneIsReported() {
        let other = chat(replacing: "name: chat", with: "name: other").replacingOccurrences(of: "1001", with: "1002")
        #expect(
            set([("a.yaml", chatApp), ("b.yaml", other)]).errors.map(\.description) == [
                "b.yaml:7:8: error: /spec/key: duplicate app key \"chat-key\" (already used by App \"chat\" at a.yaml:7:8)"
            ])
    }

    @Test func appAndUserMayShareAName() {
        let user = aliceUser.replacingOccurrences(of: "name: alice", with: "name: chat")
        #expect(set([("a.yaml", chatApp), ("u.yaml", user)]).errors == [])
    }

    @Test func duplicateUserEmailIgnoresCase() {
        let bob = aliceUser.replacingOccurrences(of: "name: alice", with: "name: bob")
            .replacingOccurrences(of: "alice@example.com", with: "Alice@Example.com")
        #expect(
            set([("u.yaml", aliceUser + "---\n" + bob)]).errors.map(\.description) == [
                "u.yaml:14:10: error: /spec/email: duplicate user email \"alice@example.com\" "
                    + "(already used by User \"alice\" at u.yaml:6:10)"
            ])
    }

    @Test func snapshotResolvesSecretsAndKeepsOrder() throws {
        let second = chat(replacing: "name: chat", with: "name: feed")
            .replacingOccurrences(of: "1001", with: "1002").replacingOccurrences(of: "chat-key", with: "feed-key")
            .replacingOccurrences(of: "{ value: chat-secret }", with: "{ env: FEED_SECRET }")
        let result = set([("a.yaml", chatApp), ("b.yaml", second), ("u.yaml", aliceUser)]).snapshot(revision: "r1") {
            $0 == .env("FEED_SECRET") ? .success("from-env") : .success("other")
        }
        let snapshot = try result.get()
        #expect(snapshot.revision == "r1")
        #expect(snapshot.apps.map(\.name) == ["chat", "feed"])
        #expect(snapshot.app(key: "feed-key")?.secret == "from-env")
        #expect(snapshot.app(id: "1001")?.secret == "other")
        #expect(snapshot.users.map(\.name) == ["alice"])
    }

    @Test func unresolvableSecretIsReportedAtTheSecretWithEveryOtherError() {
        let invalid = chat(replacing: "name: chat", with: "name: bad").replacingOccurrences(of: "\"1001\"", with: "7")
        let result = set([("a.yaml", chatApp), ("b.yaml", invalid)]).snapshot(revision: "r") { _ in
            .failure(SecretResolutionError("environment variable X is not set"))
        }
        #expect(throws: ManifestErrors.self) { try result.get() }
        guard case .failure(let errors) = result else { return }
        #expect(
            errors.description == """
                a.yaml:8:11: error: /spec/secret: environment variable X is not set
                b.yaml:6:7: error: /spec/id: must be a string, got a number (quote it)
                """)
    }
}
