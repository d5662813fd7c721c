import BelfryManifest
import Testing

/// The internal API's JSON: `apply` carries everything the server needs, `state` no secret.
@Suite struct ConfigSnapshotJSONTests {
    let snapshot = ConfigSnapshot(
        apps: [
            App(
                name: "chat", id: "1001", key: "chat-key", secret: "chat-secret", enabled: false,
                allowedOrigins: ["example.com"], clientEvents: true, userAuthentication: true,
                limits: .init(maxConnections: 5, clientEventsPerSecond: nil, backendEventsPerSecond: 7),
                webhooks: [.init(url: "https://example.com/hook", events: ["channel_occupied"])])
        ],
        users: [User(name: "alice", email: "alice@example.com", passwordHash: "$2b$12$hash")], revision: "r1")

    @Test func applyFormRoundTripsEveryField() throws {
        let decoded = try #require(ConfigSnapshot(json: snapshot.json(secrets: .include)))
        #expect(decoded.apps == snapshot.apps)
        #expect(decoded.users == snapshot.users)
        #expect(decoded.revision == "r1")
    }

    @Test func stateFormCarriesNoSecret() {
        let text = snapshot.json(secrets: .digest).serialized
        #expect(!text.contains("chat-secret"))
        #expect(!text.contains("$2b$12$hash"))
        #expect(text.contains(ConfigSnapshot.digest("chat-secret")))
        #expect(text.contains(#""passwordHashDigest":"\#(ConfigSnapshot.digest("$2b$12$hash"))""#))
    }

    /// `state` read back: the digests stand where the secret and the hash were.
    @Test func stateFormDecodesDigests() throws {
        let decoded = try #require(ConfigSnapshot(json: snapshot.json(secrets: .digest)))
        #expect(decoded.apps.map(\.secret) == [ConfigSnapshot.digest("chat-secret")])
        #expect(decoded.users.map(\.passwordHash) == [ConfigSnapshot.digest("$2b$12$hash")])
        // `apply` never takes a digest for a hash: the user arrives without one (and fails validation).
        let usersOnly = ConfigSnapshot(apps: [], users: snapshot.users).json(secrets: .digest)
        #expect(ConfigSnapshot(json: usersOnly, secrets: .include)?.users.map(\.passwordHash) == [""])
    }
}
