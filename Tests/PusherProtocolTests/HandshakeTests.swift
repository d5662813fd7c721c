import PusherProtocol
import Testing

@Suite struct HandshakeTests {
    @Test func acceptsPusherPaths() throws {
        #expect(
            try Handshake.appKey(uri: "/app/chat-key?protocol=7&client=js&version=8.4.0&flash=false").get()
                == "chat-key")
        #expect(try Handshake.appKey(uri: "/app/k?protocol=5").get() == "k")
        #expect(try Handshake.appKey(uri: "/app/a%20b?protocol=7").get() == "a b")
        #expect(try Handshake.appKey(uri: "/app/k\u{301}?protocol=7").get() == "k\u{301}")
        let request = Handshake.read(uri: "/app/k?protocol=7&client=js&version=8.4.0")
        #expect(request.protocolVersion == "7" && request.client == "js" && request.clientVersion == "8.4.0")
    }

    @Test(arguments: [
        ("/foo/bar?protocol=7", CloseCode.pathNotFound),
        ("/app/?protocol=7", .pathNotFound),
        ("/app/k/extra?protocol=7", .pathNotFound),
        ("/app/k/?protocol=7", .pathNotFound),
        ("app/k?protocol=7", .pathNotFound),
        ("//app/k?protocol=7", .pathNotFound),
        ("/apps/k?protocol=7", .pathNotFound),
        ("/app?protocol=7", .pathNotFound),
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
}
