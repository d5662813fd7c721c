import PusherProtocol
import Testing

@Suite struct HandshakeTests {
    @Test func acceptsPusherPaths() throws {
        #expect(
            try Handshake.appKey(uri: "/app/chat-key?protocol=7&client=js&version=8.4.0&flash=false").get()
                == "chat-key")
        #expect(try Handshake.appKey(uri: "/app/k?protocol=5").get() == "k")
    }

    @Test(arguments: [
        ("/foo/bar?protocol=7", CloseCode.pathNotFound),
        ("/app/?protocol=7", .pathNotFound),
        ("/app/k/extra?protocol=7", .pathNotFound),
        ("/app/k", .noProtocolVersion),
        ("/app/k?client=js", .noProtocolVersion),
        ("/app/k?protocol=3", .unsupportedProtocolVersion),
        ("/app/k?protocol=8", .unsupportedProtocolVersion),
        ("/app/k?protocol=abc", .unsupportedProtocolVersion),
    ])
    func refusals(uri: String, code: CloseCode) {
        guard case .failure(let reason) = Handshake.appKey(uri: uri) else {
            Issue.record("accepted \(uri)")
            return
        }
        #expect(reason.code == code)
    }

    @Test func originPatterns() {
        let patterns = ["example.com", "*.good.test", "https://secure.org"]
        #expect(OriginPolicy.allows(origin: "https://example.com", patterns: patterns))
        #expect(OriginPolicy.allows(origin: "http://example.com:8080", patterns: patterns))
        #expect(OriginPolicy.allows(origin: "https://app.good.test", patterns: patterns))
        #expect(OriginPolicy.allows(origin: "https://secure.org", patterns: patterns))
        #expect(!OriginPolicy.allows(origin: "http://secure.org", patterns: patterns))
        #expect(!OriginPolicy.allows(origin: "https://good.test.evil.com", patterns: patterns))
        #expect(!OriginPolicy.allows(origin: "https://notexample.com", patterns: patterns))
        #expect(!OriginPolicy.allows(origin: nil, patterns: patterns))
        #expect(OriginPolicy.allows(origin: nil, patterns: []))
        #expect(OriginPolicy.allows(origin: "https://any.where", patterns: ["*"]))
    }
}
