import PusherProtocol
import Testing

/// A prepared key signs exactly like `Signature.hmacHex`, every time it is used.
@Suite struct SigningKeyTests {
    @Test(arguments: [("secret", "POST\n/apps/1/events\nauth_key=k"), ("", ""), ("é€ long secret", "x")])
    func matchesHmacHexAndCanBeReused(secret: String, message: String) {
        let key = SigningKey(secret: secret)
        let expected = Signature.hmacHex(secret: secret, message: message)
        #expect(key.hex(message) == expected)
        #expect(key.hex(message) == expected)
        #expect(key.hex(message + "!") == Signature.hmacHex(secret: secret, message: message + "!"))
    }
}
