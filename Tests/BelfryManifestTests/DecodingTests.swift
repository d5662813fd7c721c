import BelfryManifest
import Testing

@Suite struct DecodingTests {
    @Test func decodesEveryDocumentOfAFileAndSkipsEmptyOnes() {
        let yaml = "---\n" + chatApp + "---\n# only a comment\n---\n" + aliceUser
        let documents = ManifestDecoder.decode(yaml: yaml, file: "all.yaml")
        #expect(documents.errors == [])
        #expect(documents.apps.map(\.name) == ["chat"])
        #expect(
            documents.users.map(\.user) == [
                User(
                    name: "alice", email: "alice@example.com",
                    passwordHash: "$2b$12$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P")
            ])
        #expect(documents.users.first?.location.line == 13)
    }

    @Test func omittedFieldsTakeTheirDefaults() throws {
        let app = try #require(ManifestDecoder.decode(yaml: chatApp, file: "chat.yaml").apps.first)
        #expect(app.app(secret: "s") == App(name: "chat", id: "1001", key: "chat-key", secret: "s"))
        #expect(app.secret == .value("chat-secret"))
        #expect(app.limits == App.Limits(maxConnections: nil, clientEventsPerSecond: 10, backendEventsPerSecond: nil))
        #expect(
            app.location(of: "/spec/id") == ManifestLocation(file: "chat.yaml", line: 6, column: 7, path: "/spec/id"))
    }

    @Test func decodesEveryAppField() throws {
        let yaml =
            chatApp + """
                  enabled: false
                  allowedOrigins: ["*", example.com, "*.example.org"]
                  clientEvents: true
                  userAuthentication: true
                  limits: { maxConnections: 100, clientEventsPerSecond: 3, backendEventsPerSecond: 50 }
                  webhooks:
                    - url: https://example.com/hook
                      events: [channel_occupied, subscription_count]

                """
        let documents = ManifestDecoder.decode(yaml: yaml, file: "chat.yaml")
        #expect(documents.errors == [])
        let app = try #require(documents.apps.first).app(secret: "s")
        #expect(!app.enabled && app.clientEvents && app.userAuthentication)
        #expect(app.allowedOrigins == ["*", "example.com", "*.example.org"])
        #expect(app.limits == App.Limits(maxConnections: 100, clientEventsPerSecond: 3, backendEventsPerSecond: 50))
        #expect(
            app.webhooks == [
                App.Webhook(url: "https://example.com/hook", events: ["channel_occupied", "subscription_count"])
            ])
    }

    /// What a new user writes first: origins, as the field's name says, beside host patterns.
    @Test func acceptsOriginsAndHostPatterns() throws {
        let origins = [
            "https://shop.example.com", "http://localhost:8080", "http://127.0.0.1:3000", "http://[::1]:8080",
            "capacitor://localhost", "example.com", "*.example.com",
        ]
        let yaml = chatApp + "  allowedOrigins: [\(origins.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        let documents = ManifestDecoder.decode(yaml: yaml, file: "chat.yaml")
        #expect(documents.errors == [])
        #expect(try #require(documents.apps.first).allowedOrigins == origins)
    }

    @Test(arguments: [
        (SecretRef.env("CHAT_SECRET"), "{ env: CHAT_SECRET }"),
        (SecretRef.file("secrets/chat"), "{ file: secrets/chat }"),
    ])
    func decodesSecretReferences(expected: SecretRef, yaml: String) {
        let documents = ManifestDecoder.decode(yaml: chat(replacing: "{ value: chat-secret }", with: yaml), file: "t")
        #expect(documents.errors == [])
        #expect(documents.apps.first?.secret == expected)
    }
}
