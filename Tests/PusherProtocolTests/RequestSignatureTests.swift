import BelfryTestSupport
import PusherProtocol
import Testing

@Suite struct RequestSignatureTests {
    let body = Array(#"{"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"}"#.utf8)
    let timestamp = 1_353_088_179

    func query(signature: String, md5: String? = nil, timestamp: Int? = nil) -> [(String, String)] {
        [
            ("auth_key", PusherDocsVectors.key), ("auth_timestamp", String(timestamp ?? self.timestamp)),
            ("auth_version", "1.0"), ("body_md5", md5 ?? "ec365a775a4cd0599faeb73354201b6f"),
            ("auth_signature", signature),
        ]
    }

    func verify(_ query: [(String, String)], body: [UInt8]? = nil, now: Int? = nil) -> Result<Void, APIError> {
        RequestSignature.verify(
            method: "POST", path: "/apps/3/events", query: query, body: body ?? self.body,
            appKey: PusherDocsVectors.key, secrets: [PusherDocsVectors.secret], now: now ?? timestamp)
    }

    @Test func docsWorkedExample() {
        #expect(Signature.md5Hex(body) == "ec365a775a4cd0599faeb73354201b6f")
        let signed = RequestSignature.stringToSign(method: "post", path: "/apps/3/events", query: query(signature: "x"))
        #expect(
            signed
                == "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f"
        )
        let good = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"
        #expect(Signature.hmacHex(secret: PusherDocsVectors.secret, message: signed) == good)
        #expect((try? verify(query(signature: good)).get()) != nil)
    }

    @Test func timestampWindowIsSixHundredSeconds() {
        let good = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"
        #expect((try? verify(query(signature: good), now: timestamp + 600).get()) != nil)
        #expect((try? verify(query(signature: good), now: timestamp - 600).get()) != nil)
        #expect(throws: APIError.self) { try verify(query(signature: good), now: timestamp + 601).get() }
    }

    @Test func bodyMD5IsRecomputed() {
        let good = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"
        let tampered = Array(#"{"name":"bar","channels":["project-3"],"data":"{}"}"#.utf8)
        let result = verify(query(signature: good), body: tampered)
        #expect(throws: APIError(401, "body_md5 does not match the request body")) { try result.get() }
    }

    /// Pusher's own texts (its signing library), which SDK users and test suites search for.
    @Test func refusalsUsePushersWording() {
        let zeros = String(repeating: "0", count: 64)
        let signed =
            #"POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"#
            + #"&body_md5=ec365a775a4cd0599faeb73354201b6f"#
        let expectations: [(query: [(String, String)], now: Int?, message: String)] = [
            (
                query(signature: zeros), nil,
                #"Invalid signature: you should have sent HmacSHA256Hex(""# + signed
                    + #"", your_secret_key), but you sent ""# + zeros + "\""
            ),
            (
                query(signature: zeros), timestamp + 601,
                "Timestamp expired: Given timestamp (2012-11-16T17:49:39Z) not within 600s of server time "
                    + "(2012-11-16T17:59:40Z)"
            ),
            (query(signature: zeros).filter { $0.0 != "auth_key" }, nil, "Missing parameter: auth_key"),
            (query(signature: zeros).filter { $0.0 != "auth_signature" }, nil, "Missing parameter: auth_signature"),
            (query(signature: zeros).filter { $0.0 != "auth_timestamp" }, nil, "Timestamp required"),
            (query(signature: zeros).filter { $0.0 != "auth_version" }, nil, "Version required: auth_version=1.0"),
            (
                [("auth_key", "other-key")] + query(signature: zeros).dropFirst(), nil,
                #"Unknown auth_key: "other-key" is not this app's key"#
            ),
        ]
        for (query, now, message) in expectations {
            #expect(throws: APIError(401, message)) { try verify(query, now: now).get() }
        }
    }

    /// An `auth_timestamp` at the edge of `Int` is refused, not an arithmetic overflow.
    @Test(arguments: [Int.min, Int.max])
    func extremeTimestampsAreExpired(timestamp: Int) {
        let result = verify(query(signature: String(repeating: "0", count: 64), timestamp: timestamp))
        guard case .failure(let error) = result else {
            Issue.record("accepted")
            return
        }
        #expect(error.message.hasPrefix("Timestamp expired: Given timestamp ("))
    }

    @Test func queryStringDecoding() {
        let pairs = QueryString.parse("a=1&b=x%20y&c=p+q&flag")
        #expect(pairs.map(\.0) == ["a", "b", "c", "flag"])
        #expect(pairs.map(\.1) == ["1", "x y", "p q", ""])
    }

    @Test(arguments: [
        ("", [(String, String)]()),
        ("&&a=1&&", [("a", "1")]),
        ("=x&k=&k2", [("", "x"), ("k", ""), ("k2", "")]),
        ("a=b=c", [("a", "b=c")]),
        ("bad=%zz%4&ok=%41%e2%82%ac", [("bad", "%zz%4"), ("ok", "A€")]),
        ("caf%C3%A9=th%C3%A9&é=ü", [("café", "thé"), ("é", "ü")]),
    ])
    func queryStringEdgeCases(query: String, expected: [(String, String)]) {
        let pairs = QueryString.parse(query[...])
        #expect(pairs.map(\.0) == expected.map(\.0))
        #expect(pairs.map(\.1) == expected.map(\.1))
    }

    @Test func pathDecodingKeepsPlus() {
        #expect(QueryString.decodePath("a+b%2Fc") == "a+b/c")
    }
}
