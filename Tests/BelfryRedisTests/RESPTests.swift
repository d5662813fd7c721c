import Testing

@testable import BelfryRedis

/// The wire format: every RESP2 and RESP3 type, byte at a time, and the bounds a hostile server
/// meets.
@Suite struct RESPParserTests {
    private func parseAll(_ text: String, limits: RESPParser.Limits = .init()) throws -> [RESPValue] {
        var parser = RESPParser(limits: limits)
        parser.append(Array(text.utf8))
        var values: [RESPValue] = []
        while let value = try parser.next() { values.append(value) }
        return values
    }

    @Test func resp2Types() throws {
        let values = try parseAll(
            "+OK\r\n-ERR wrong\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n:-7\r\n*-1\r\n$0\r\n\r\n")
        #expect(
            values == [
                .simpleString("OK"), .error("ERR wrong"), .integer(42), .bulk("hello"), .bulkString(nil),
                .array([.bulk("a"), .integer(-7)]), .array(nil), .bulkString([]),
            ])
    }

    @Test func resp3Types() throws {
        let values = try parseAll(
            "_\r\n#t\r\n,1.5\r\n,inf\r\n(123456789012345678901234567890\r\n%1\r\n+k\r\n:1\r\n~1\r\n+m\r\n>3\r\n+message\r\n+c\r\n+p\r\n!3\r\nBAD\r\n=7\r\ntxt:abc\r\n"
        )
        #expect(values.count == 10)
        #expect(values[0] == .null && values[1] == .boolean(true) && values[2] == .double(1.5))
        #expect(values[3] == .double(.infinity))
        #expect(values[4] == .bigNumber("123456789012345678901234567890"))
        #expect(values[5] == .map([(.simpleString("k"), .integer(1))]))
        #expect(values[6] == .set([.simpleString("m")]))
        #expect(values[7].elements?.count == 3)
        #expect(values[8] == .error("BAD"))
        #expect(values[9] == .bulk("abc"))
    }

    @Test func bytesArriveOneAtATime() throws {
        let wire = Array("*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$10\r\n{\"a\":\"\r\n\"}\r\n".utf8)
        var parser = RESPParser()
        var values: [RESPValue] = []
        for byte in wire {
            parser.append([byte])
            if let value = try parser.next() { values.append(value) }
        }
        #expect(values == [.array([.bulk("message"), .bulk("room"), .bulk("{\"a\":\"\r\n\"}")])])
        #expect(parser.buffered == 0)
    }

    @Test func binaryPayloadsStayBytes() throws {
        var parser = RESPParser()
        parser.append(Array("$3\r\n".utf8) + [0xFF, 0x00, 0x0D] + [13, 10])
        #expect(try parser.next() == .bulkString([0xFF, 0x00, 0x0D]))
    }

    @Test(arguments: [
        ("?x\r\n", RESPParser.Failure.unknownType(UInt8(ascii: "?"))),
        ("$abc\r\n", .badLength("abc")),
        ("$-5\r\n", .badLength("-5")),
        (":12x\r\n", .badLine("integer 12x")),
        ("$3\r\nabcd\r\n", .badLine("bulk string not ended by CRLF")),
        ("#x\r\n", .badLine("boolean x")),
    ])
    func violationsAreErrors(wire: String, failure: RESPParser.Failure) {
        #expect(throws: failure) { try parseAll(wire) }
    }

    @Test func boundsHold() {
        var limits = RESPParser.Limits()
        limits.maxBulkBytes = 10
        limits.maxElements = 3
        limits.maxDepth = 2
        #expect(throws: RESPParser.Failure.tooLarge("length 11")) { try parseAll("$11\r\n", limits: limits) }
        #expect(throws: RESPParser.Failure.tooLarge("length 4")) { try parseAll("*4\r\n", limits: limits) }
        #expect(throws: RESPParser.Failure.tooDeep) { try parseAll("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", limits: limits) }
        limits.maxLineBytes = 8
        #expect(throws: RESPParser.Failure.tooLarge("line")) {
            try parseAll("+" + String(repeating: "a", count: 20), limits: limits)
        }
    }

    @Test func commandsAreArraysOfBulkStrings() {
        #expect(
            String(decoding: RESPEncoder.command(["SET", "k", "v v"]), as: UTF8.self)
                == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv v\r\n")
        #expect(RESPEncoder.command([[0xFF]]) == Array("*1\r\n$1\r\n".utf8) + [0xFF, 13, 10])
    }
}

@Suite struct RedisURLTests {
    @Test func everyPartIsRead() throws {
        let url = try RedisURL(parsing: "rediss://belfry:p%40ss@cache.internal:6380/2")
        #expect(url.tls && url.host == "cache.internal" && url.port == 6380 && url.database == 2)
        #expect(url.username == "belfry" && url.password == "p@ss")
        #expect(url.description == "rediss://belfry:***@cache.internal:6380/2")
        let plain = try RedisURL(parsing: "redis://127.0.0.1")
        #expect(!plain.tls && plain.port == 6379 && plain.database == 0 && plain.password == nil)
        let passwordOnly = try RedisURL(parsing: "redis://:secret@[::1]:7000")
        #expect(passwordOnly.host == "::1" && passwordOnly.port == 7000 && passwordOnly.password == "secret")
        #expect(passwordOnly.username == nil)
    }

    /// An address is verified against the certificate's IP names and never sent as SNI.
    @Test func addressesAreToldFromNames() throws {
        for (text, address) in [
            ("rediss://127.0.0.1", true), ("rediss://[::1]:6380", true), ("rediss://cache.internal", false),
            ("rediss://localhost", false), ("rediss://1.2.3", false), ("rediss://256.1.1.1", false),
        ] {
            #expect(try RedisURL(parsing: text).hostIsAddress == address, "\(text)")
        }
    }

    @Test func badURLsSayWhy() {
        #expect(throws: RedisURL.Failure.scheme("http://x")) { try RedisURL(parsing: "http://x") }
        #expect(throws: RedisURL.Failure.scheme("http://***@x")) { try RedisURL(parsing: "http://u:pw@x") }
        #expect(throws: RedisURL.Failure.host) { try RedisURL(parsing: "redis://:6379") }
        #expect(throws: RedisURL.Failure.port("99999")) { try RedisURL(parsing: "redis://h:99999") }
        #expect(throws: RedisURL.Failure.database("x")) { try RedisURL(parsing: "redis://h/x") }
    }

    @Test func backoffDoublesToItsCapWithJitter() {
        var backoff = Backoff(first: 0.1, cap: 5)
        let waits = (0..<10).map { _ in backoff.next(random: 0.5) }
        #expect(waits.prefix(3).map { ($0 * 1000).rounded() } == [100, 200, 400])
        #expect(waits.last == 5)
        var jittered = Backoff()
        #expect(jittered.next(random: 0) == 0.1 * 0.8)
        backoff.reset()
        #expect(backoff.next(random: 0.5) == 0.1)
    }
}

@Suite struct RESPParserChunkTests {
    @Test func manyRepliesInChunksOfEverySize() throws {
        let wire = Array((1...3000).map { ":\($0)\r\n" }.joined().utf8)
        for chunk in [1, 7, 1000, 4096, 9000] {
            var parser = RESPParser()
            var values: [Int64] = []
            var index = 0
            while index < wire.count {
                parser.append(wire[index..<min(index + chunk, wire.count)])
                index += chunk
                while let value = try parser.next() { values.append(value.integer ?? -1) }
            }
            #expect(values == (1...3000).map { Int64($0) }, "chunk \(chunk)")
        }
    }
}
