import Foundation
import Testing

@testable import PusherProtocol

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

/// The hand-written base64 and key check agree with Foundation's, which they replace.
@Suite struct WebSocketAcceptFoundationTests {
    @Test func base64IsFoundationsForEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for count in 0...64 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let ours = bytes.withUnsafeBytes { WebSocketAccept.base64($0) }
            #expect(ours == Data(bytes).base64EncodedString(), "\(count) bytes")
        }
    }

    @Test func aKeyIsValidExactlyWhenFoundationDecodesSixteenBytes() {
        let pieces = Array("ABCXYZabcxyz0189+/=!- \n".utf8)
        var generator = SystemRandomNumberGenerator()
        var candidates: [String] = ["AAAAAAAAAAAAAAAAAAAAAB==", "AAAAAAAAAAAAAAAAAAAAAA=A", "AAAAAAAAAAAAAAAAAAAAAAA="]
        for _ in 0..<5000 {
            let length = Int.random(in: 20...26, using: &generator)
            var bytes = (0..<length).map { _ in pieces.randomElement(using: &generator)! }
            // Mostly keys that are nearly valid: 22 of the alphabet then padding, one thing changed.
            if Bool.random(using: &generator) {
                bytes = (0..<22).map { _ in pieces[Int.random(in: 0..<16, using: &generator)] } + Array("==".utf8)
                bytes[Int.random(in: 0..<24, using: &generator)] = pieces.randomElement(using: &generator)!
            }
            candidates.append(String(decoding: bytes, as: UTF8.self))
        }
        for key in candidates {
            #expect(
                WebSocketAccept.isValidKey(key) == (Data(base64Encoded: key)?.count == 16), "\(key.debugDescription)")
        }
    }
}
