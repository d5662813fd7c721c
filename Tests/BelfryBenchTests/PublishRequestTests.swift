import Foundation
import PusherProtocol
import Testing

@testable import BelfryBench

@Suite struct PublishRequestTests {
    /// Splits the raw request into target path, query pairs (unescaped) and body.
    func parse(_ bytes: [UInt8]) -> (
        line: String, path: String, query: [(String, String)], headers: [String], body: String
    ) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts[0].components(separatedBy: "\r\n")
        let target = head[0].split(separator: " ")[1]
        let pieces = target.split(separator: "?", maxSplits: 1)
        let query: [(String, String)] =
            pieces.count > 1
            ? pieces[1].split(separator: "&").map {
                let kv = $0.split(separator: "=", maxSplits: 1)
                return (String(kv[0]), String(kv[1]).removingPercentEncoding!)
            } : []
        return (head[0], String(pieces[0]), query, Array(head.dropFirst()), parts[1])
    }

    func options(_ kind: BenchProtocol) -> BenchOptions {
        var o = BenchOptions()
        o.protocolKind = kind
        o.appID = "42"
        o.key = "the key"
        o.secret = "s3cret"
        o.channels = 3
        return o
    }

    @Test func pusherRequestIsSignedAndVerifies() throws {
        let request = PublishRequest(options: options(.pusher), address: ServerAddress(host: "127.0.0.1", port: 6001))
        let raw = request.bytes(seq: 4, micros: 77, unixTime: 1_700_000_000)
        let r = parse(raw)
        #expect(r.line.hasPrefix("POST /apps/42/events?"))
        #expect(r.path == "/apps/42/events")
        #expect(r.headers.contains("Content-Length: \(r.body.utf8.count)"))
        #expect(r.headers.contains("Host: 127.0.0.1:6001"))
        #expect(r.body == #"{"name":"bench","channel":"bench-1","data":"{\"ts\":\"@T0000000000000077\",\"seq\":4}"}"#)
        let verdict = RequestSignature.verify(
            method: "POST", path: r.path, query: r.query, body: Array(r.body.utf8), appKey: "the key",
            secrets: ["s3cret"], now: 1_700_000_000)
        #expect((try? verdict.get()) != nil)
        let wrong = RequestSignature.verify(
            method: "POST", path: r.path, query: r.query, body: Array(r.body.utf8), appKey: "the key",
            secrets: ["other"], now: 1_700_000_000)
        #expect((try? wrong.get()) == nil)
    }

    @Test func pusherDataIsAJSONStringHoldingTheTimestamp() throws {
        let request = PublishRequest(options: options(.pusher), address: ServerAddress(host: "h", port: 1))
        let body = request.body(seq: 0, micros: 5)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let data = try #require(object["data"] as? String)
        #expect(TimestampScanner.scan(Array(data.utf8)) == 5)
        #expect(object["channel"] as? String == "bench-0")
    }

    @Test func nchanRequestIsUnsignedToThePublisherLocation() {
        let request = PublishRequest(options: options(.nchan), address: ServerAddress(host: "h", port: 8080))
        let r = parse(request.bytes(seq: 5, micros: 9, unixTime: 0))
        #expect(r.line == "POST /pub/bench-2 HTTP/1.1")
        #expect(r.query.isEmpty)
        #expect(r.body == #"{"ts":"@T0000000000000009","seq":5}"#)
    }

    @Test(arguments: [("abcXYZ09-._~", "abcXYZ09-._~"), ("a b/c=d&é", "a%20b%2Fc%3Dd%26%C3%A9"), ("", "")])
    func escapeKeepsOnlyUnreservedCharacters(value: String, escaped: String) {
        #expect(PublishRequest.escape(value) == escaped)
    }
}
