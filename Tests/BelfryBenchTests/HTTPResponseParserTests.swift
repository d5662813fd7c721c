import Testing

@testable import BelfryBench

@Suite struct HTTPResponseParserTests {
    func statuses(_ chunks: [String]) throws -> [Int] {
        var parser = HTTPResponseParser()
        var seen: [Int] = []
        for chunk in chunks {
            try Array(chunk.utf8).withUnsafeBytes { bytes in try parser.feed(bytes) { seen.append($0) } }
        }
        return seen
    }

    @Test func pipelinedContentLengthResponses() throws {
        let one = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        let two = "HTTP/1.1 401 Unauthorized\r\ncontent-length: 5\r\n\r\nnope!"
        #expect(try statuses([one + two + one]) == [200, 401, 200])
    }

    @Test func responsesSplitAtEveryByte() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"
        #expect(try statuses(text.map { String($0) }) == [200, 202])
    }

    @Test func chunkedBodies() throws {
        let text =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n2;x=y\r\nef\r\n0\r\n\r\n"
            + "HTTP/1.1 500 Oops\r\nContent-Length: 1\r\n\r\nx"
        #expect(try statuses([text]) == [200, 500])
        #expect(try statuses(text.map { String($0) }) == [200, 500])
    }

    @Test func noContentHasNoBody() throws {
        #expect(
            try statuses(["HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]) == [204, 200])
    }

    @Test func garbageIsMalformed() {
        #expect(throws: HTTPResponseParser.Malformed.self) { try statuses(["SSH-2.0-OpenSSH\r\n\r\n"]) }
    }
}
