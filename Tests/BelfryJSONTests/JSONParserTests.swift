import BelfryJSON
import BelfryTestSupport
import Testing

@Suite struct JSONParserTests {
    @Test func keepsKeyOrderAndNumberText() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":[1.50,-0,2e3],"m":{"k":null,"t":true}}"#)
        #expect(value.serialized == #"{"z":1,"a":[1.50,-0,2e3],"m":{"k":null,"t":true}}"#)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\né😀"))
        #expect(value.serialized == #""a\"b\\c/d\né😀""#)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "tru", "\"unterminated", "\"\\x\"", "\"\\ud800\"", "{} x",
        "\"a\u{01}\"", "[1 2]", "{\"a\" 1}",
    ])
    func rejectsMalformedInput(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 30) + String(repeating: "]", count: 30)
        #expect((try? JSONParser.parse(ok)) != nil)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        // The same after an escape, where the string is unescaped into a buffer first.
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]) }
    }

    /// Raw UTF-8, escapes and control characters in either order: before the first escape the
    /// string is taken from the input as is, after it the bytes are copied.
    @Test func decodesRawUTF8AroundEscapes() throws {
        #expect(try JSONParser.parse("\"é\\n€\"") == .string("é\n€"))
        #expect(try JSONParser.parse("\"\\u00e9x\\\"ü\"") == .string("éx\"ü"))
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("\"\\n\u{01}\"") }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("\"\\n\\q\"") }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("\"\\n") }
    }

    @Test func quotesControlCharacters() {
        #expect(JSONText.quoted("a\u{01}b\"") == #""a\u0001b\"""#)
    }
}

/// Mutated JSON with escapes, in every string path (plain, escaped ASCII, escaped non-ASCII):
/// the parser returns a value or a `Failure`, and never traps.
@Suite struct JSONParserFuzzTests {
    @Test func survivesMutatedInput() {
        let seeds = [
            #"{"name":"e","channel":"c","data":"{\"ts\":\"@T1\",\"seq\":7}"}"#,
            #"["a\u00e9\ud83d\ude00\n\t\/", "é€", "\\\"", 1.5e3, true, null]"#,
        ]
        let alphabet = Array(#"\"u0aDfF{}[],:"#.utf8) + [0x01, 0x7F, 0xC3, 0xA9, 0xFF]
        var random = SplitMix(seed: 0x15_0A)
        var values = 0
        var failures = 0
        for round in 0..<5000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                case 1: bytes.remove(at: position)
                default: bytes[position] = alphabet.randomElement(using: &random)!
                }
            }
            do {
                _ = try JSONParser.parse(bytes)
                values += 1
            } catch {
                failures += 1
            }
        }
        #expect(values > 100 && failures > 1000, "values \(values), failures \(failures)")
    }
}
