import PusherProtocol
import Testing

@Suite struct WebSocketAcceptTests {
    /// The worked example of RFC 6455 §1.3.
    @Test func matchesTheRFCExample() {
        #expect(WebSocketAccept.value(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test(arguments: ["dGhlIHNhbXBsZSBub25jZQ==", "AAAAAAAAAAAAAAAAAAAAAA==", "+/+/+/+/+/+/+/+/+/+/+w=="])
    func acceptsSixteenByteKeys(key: String) {
        #expect(WebSocketAccept.isValidKey(key))
    }

    @Test(arguments: [
        "", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ==x",
        "dGhlIHNhbXBsZSBub25jZ!==",
    ])
    func refusesOtherKeys(key: String) {
        #expect(!WebSocketAccept.isValidKey(key))
    }
}
