import BelfryManifest
import BelfrySource
import Foundation
import Testing

/// `examples/config` is what `make run` serves and the README describes: it must stay valid.
@Suite struct ExampleConfigTests {
    private let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/config").path

    @Test func examplesLoadWithoutEnvironment() throws {
        let snapshot = try DirectorySource(path: directory).load(environment: [:], secrets: defaultSecrets)
        #expect(snapshot.apps.count >= 3)
        #expect(snapshot.apps.contains { !$0.enabled })
        #expect(snapshot.apps.contains { !$0.webhooks.isEmpty && $0.limits.maxConnections != nil })
        #expect(snapshot.users.map(\.name) == ["alice"])
    }

    @Test func chatAppHasTheValuesTheReadmeUses() throws {
        let snapshot = try DirectorySource(path: directory).load(environment: [:], secrets: defaultSecrets)
        let chat = try #require(snapshot.apps.first { $0.name == "chat" })
        #expect(
            chat
                == App(
                    name: "chat", id: "1001", key: "chat-key", secret: "chat-secret", enabled: true,
                    allowedOrigins: ["*"], clientEvents: true))
        #expect(snapshot.app(key: "chat-key")?.id == "1001")
    }
}
