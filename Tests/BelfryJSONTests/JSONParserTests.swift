import BelfryJSON
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
