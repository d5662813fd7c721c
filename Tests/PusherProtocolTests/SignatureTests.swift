import BelfryTestSupport
import PusherProtocol
import Testing

@Suite struct SignatureTests {
    let key = PusherDocsVectors.key
    let secret = PusherDocsVectors.secret
    let socket = PusherDocsVectors.socketID

    @Test func privateChannelVector() {
        let message = Signature.channelMessage(socketID: socket, channel: "private-foobar", channelData: nil)
        #expect(message == "1234.1234:private-foobar")
        #expect(
            Signature.hmacHex(secret: secret, message: message)
                == "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4")
    }

    @Test func presenceChannelVector() {
        let data = #"{"user_id":10,"user_info":{"name":"Mr. Channels"}}"#
        let message = Signature.channelMessage(socketID: socket, channel: "presence-foobar", channelData: data)
        #expect(
            Signature.hmacHex(secret: secret, message: message)
                == "31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80")
    }

    @Test func userSigninVector() {
        let message = Signature.signinMessage(socketID: socket, userData: #"{"id":"12345"}"#)
        #expect(
            Signature.hmacHex(secret: secret, message: message)
                == "4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba")
    }

    @Test func tokenAcceptedWithCurrentOrPreviousSecret() {
        let message = "1234.1234:private-foobar"
        let token = "\(key):" + Signature.hmacHex(secret: secret, message: message)
        #expect((try? Signature.verifyToken(token, appKey: key, secrets: [secret], message: message).get()) != nil)
        #expect(
            (try? Signature.verifyToken(token, appKey: key, secrets: ["new", secret], message: message).get()) != nil)
    }

    @Test(arguments: [
        (nil as String?, Signature.Refusal.missing),
        ("", .missing),
        ("no-colon", .malformed),
        ("other-key:abc", .wrongKey),
        ("278d425bdf160c739803:deadbeef", .mismatch(signed: "1234.1234:private-foobar")),
    ])
    func tokenRefusals(token: String?, refusal: Signature.Refusal) {
        let result = Signature.verifyToken(token, appKey: key, secrets: [secret], message: "1234.1234:private-foobar")
        #expect(throws: refusal) { try result.get() }
    }

    @Test func constantTimeEquality() {
        #expect(Signature.constantTimeEquals("abc", "abc"))
        #expect(!Signature.constantTimeEquals("abc", "abd"))
        #expect(!Signature.constantTimeEquals("abc", "abcd"))
    }

    @Test func socketIDs() {
        let a = SocketID.generate()
        let b = SocketID.generate()
        #expect(a != b)
        #expect(SocketID.isValid(a))
        #expect(SocketID.isValid("1234.5678"))
        for bad in ["1234", "12.34.56", "a.b", ".1", "1.", ""] { #expect(!SocketID.isValid(bad)) }
    }
}

/// Lower-case hex of every byte value, from an array, a non-contiguous sequence and a digest.
@Suite struct HexTests {
    @Test func encodesEveryByte() {
        let bytes = (0...255).map { UInt8($0) }
        let expected = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(Hex.encode(bytes) == expected)
        #expect(Hex.encode(bytes.lazy.map { $0 }) == expected)
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Signature.md5Hex(Array("".utf8)) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Signature.md5Hex("abc".utf8) == "900150983cd24fb0d6963f7d28e17f72")
    }

    /// Hex compared against bytes: exact lower-case digits of the right length only.
    @Test func comparesHexWithoutMakingIt() {
        let bytes: [UInt8] = [0x00, 0xAB, 0x7F]
        bytes.withUnsafeBytes { raw in
            #expect(Hex.constantTimeEquals(raw, hex: "00ab7f"))
            #expect(!Hex.constantTimeEquals(raw, hex: "00AB7F"))
            #expect(!Hex.constantTimeEquals(raw, hex: "00ab7e"))
            #expect(!Hex.constantTimeEquals(raw, hex: "00ab7"))
            #expect(!Hex.constantTimeEquals(raw, hex: "00ab7f00"))
        }
        #expect(Signature.md5Matches(Array("abc".utf8), hex: "900150983cd24fb0d6963f7d28e17f72"))
        #expect(!Signature.md5Matches(Array("abd".utf8), hex: "900150983cd24fb0d6963f7d28e17f72"))
        let key = SigningKey(secret: "secret")
        let message = Array("POST\n/apps/1/events\nauth_key=k".utf8)
        #expect(key.matches(bytes: message, hex: key.hex(bytes: message)))
        #expect(!key.matches(bytes: message, hex: SigningKey(secret: "other").hex(bytes: message)))
    }
}
