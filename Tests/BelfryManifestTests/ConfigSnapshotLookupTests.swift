import BelfryManifest
import Testing

/// Looking an app up by key or id: a copy (`app(key:)`) or a read in place (`withApp`), which
/// must find the same app and nothing for an unknown key or id.
@Suite struct ConfigSnapshotLookupTests {
    let snapshot = ConfigSnapshot(apps: [
        App(name: "chat", id: "1001", key: "chat-key", secret: "s1", limits: .init(maxConnectionsPerAddress: 3)),
        App(
            name: "feed", id: "1002", key: "feed-key", secret: "s2", enabled: false,
            webhooks: [.init(url: "https://example.com/hook", events: ["member_added"])]),
    ])

    @Test func withAppReadsTheAppOfThatKeyOrID() {
        #expect(snapshot.withApp(key: "chat-key") { $0.id } == "1001")
        #expect(snapshot.withApp(key: "chat-key") { $0.limits.maxConnectionsPerAddress } == 3)
        #expect(snapshot.withApp(id: "1002") { $0.name } == "feed")
        #expect(snapshot.withApp(id: "1002") { $0.enabled } == false)
        #expect(snapshot.withApp(id: "1002") { $0.webhooks.map(\.url) } == ["https://example.com/hook"])
        #expect(snapshot.withApp(key: "feed-key") { $0 == snapshot.app(key: "feed-key") } == true)
    }

    @Test func withAppFindsNothingForAnUnknownKeyOrID() {
        #expect(snapshot.withApp(key: "1001") { $0.id } == nil)
        #expect(snapshot.withApp(id: "chat-key") { $0.id } == nil)
        #expect(ConfigSnapshot.empty.withApp(id: "1001") { $0.id } == nil)
    }
}
