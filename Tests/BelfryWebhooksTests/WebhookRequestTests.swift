import BelfryManifest
import BelfryTestSupport
import BelfryWebhooks
import PusherProtocol
import Testing

@Suite struct WebhookRequestTests {
    @Test func requestIsPushersFormatSignedWithTheSecret() {
        let request = WebhookRequest(
            url: "https://example.com/hook", payloads: [#"{"name":"channel_occupied","channel":"my-channel"}"#],
            timeMs: 1_327_078_148_132, key: PusherDocsVectors.key, secret: PusherDocsVectors.secret,
            extra: [.init(name: "Authorization", value: "Bearer t")])
        let body = #"{"time_ms":1327078148132,"events":[{"name":"channel_occupied","channel":"my-channel"}]}"#
        #expect(String(decoding: request.body, as: UTF8.self) == body)
        // hex(HMAC-SHA256(secret, exact body)), pusher.md §3.1 (recomputed with Python's hmac).
        let signature = "c19001ae3963ccb13bf618e5b16ba9848e7e74df0993aa0689168e341c6833cf"
        #expect(Signature.hmacHex(secret: PusherDocsVectors.secret, message: body) == signature)
        #expect(
            request.headers.map { "\($0.name): \($0.value)" } == [
                "Content-Type: application/json", "X-Pusher-Key: \(PusherDocsVectors.key)",
                "X-Pusher-Signature: \(signature)", "User-Agent: Belfry", "Authorization: Bearer t",
            ])
    }

    @Test func eventsKeepTheirOrderAndAnEndpointMayNameItsUserAgent() {
        let request = WebhookRequest(
            url: "http://h", payloads: ["{\"a\":1}", "{\"b\":2}"], timeMs: 5, key: "k", secret: "s",
            extra: [.init(name: "user-agent", value: "mine")])
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"time_ms":5,"events":[{"a":1},{"b":2}]}"#)
        #expect(request.headers.filter { $0.name.lowercased() == "user-agent" }.map(\.value) == ["mine"])
    }

    @Test func aRotatedSecretSignsTheNextRequest() {
        let before = WebhookRequest(url: "http://h", payloads: ["{}"], timeMs: 5, key: "k", secret: "old", extra: [])
        let after = WebhookRequest(url: "http://h", payloads: ["{}"], timeMs: 5, key: "k", secret: "new", extra: [])
        #expect(before.body == after.body && before.headers[2].value != after.headers[2].value)
        #expect(after.headers[2].value == Signature.hmacHex(secret: "new", bytes: after.body))
    }

    @Test(arguments: [
        ("https://example.com/hook", "https://example.com/hook"),
        ("https://user:pw@example.com/hook?token=x", "https://example.com/hook"),
        ("http://example.com:8080/a#frag", "http://example.com:8080/a"),
        ("http://example.com/p@th", "http://example.com/p@th"),
    ])
    func urlsAreShownWithoutCredentials(url: String, shown: String) {
        #expect(WebhookRequest.redacted(url) == shown)
    }
}
