import BelfryJSON
import BelfryManifest
import Testing

/// Webhook endpoints: channel filters, extra headers and batching, decoded, refused when wrong,
/// and kept through the snapshot's JSON.
@Suite struct WebhookFieldTests {
    private static let app = """
        apiVersion: belfry.dev/v1
        kind: App
        metadata:
          name: chat
        spec:
          id: "1001"
          key: chat-key
          secret: { value: chat-secret }

        """

    private func decode(_ webhooks: String) -> ManifestDocuments {
        ManifestDecoder.decode(yaml: Self.app + "  webhooks:\n" + webhooks, file: "t.yaml")
    }

    @Test func everyFieldIsDecoded() throws {
        let documents = decode(
            """
                - url: https://example.com/hook
                  events: [member_added, member_removed, connection_opened]
                  filter: { channelPrefix: presence-, channelSuffix: -room }
                  headers: { Authorization: Bearer abc, X-Team: realtime }
                  batch: true

            """)
        #expect(documents.errors.isEmpty, "\(documents.errors)")
        let hook = try #require(documents.apps.first?.webhooks.first)
        #expect(hook.filter == App.Webhook.Filter(channelPrefix: "presence-", channelSuffix: "-room"))
        #expect(hook.headers.map(\.name) == ["Authorization", "X-Team"])
        #expect(hook.batch)
        #expect(hook.filter.admits(channel: "presence-lobby-room"))
        #expect(!hook.filter.admits(channel: "presence-lobby"))
        #expect(hook.filter.admits(channel: nil))
        // The snapshot's JSON (database, internal API) keeps every field.
        #expect(App.Webhook(json: hook.json) == hook)
    }

    @Test func defaultsAreNoFilterNoHeadersOneEventPerRequest() throws {
        let documents = decode("    - { url: https://example.com/hook, events: [channel_occupied] }\n")
        let hook = try #require(documents.apps.first?.webhooks.first)
        #expect(hook.filter.isEmpty && hook.headers.isEmpty && !hook.batch)
        #expect(hook.json.serialized == #"{"url":"https://example.com/hook","events":["channel_occupied"]}"#)
    }

    @Test(arguments: [
        ("headers: { Content-Type: text/plain }", "set by Belfry"),
        ("headers: { X-Pusher-Signature: forged }", "set by Belfry"),
        ("headers: { \"Bad Name\": x }", "headers"),
        ("headers: { X-A: a, x-a: b }", "duplicate header"),
        ("filter: {}", "filter"),
        ("filter: { channelPrefix: \"\" }", "channelPrefix"),
        ("batch: \"yes\"", "batch"),
    ])
    func wrongFieldsAreLocatedErrors(field: String, expected: String) {
        let documents = decode("    - url: https://example.com/hook\n      events: [client_event]\n      \(field)\n")
        #expect(!documents.errors.isEmpty, "\(field)")
        #expect(
            documents.errors.contains { "\($0)".contains(expected) && "\($0)".contains("/spec/webhooks/0/") },
            "\(documents.errors)")
    }
}
