import Testing

@Suite struct StringTests {
    @Test func lengthsCountUnicodeCodePoints() throws {
        #expect(try !accepts(#"{"minLength": 2}"#, "\"\u{1F4A9}\""))  // one code point, two UTF-16 units
        #expect(try accepts(#"{"maxLength": 2}"#, "\"e\u{301}x\"") == false)  // three code points, two graphemes
        #expect(try accepts(#"{"maxLength": 3}"#, "\"e\u{301}x\""))
        #expect(try messages(#"{"minLength": 1}"#, #""""#) == ["must be at least 1 character long"])
        #expect(try messages(#"{"maxLength": 3}"#, #""abcd""#) == ["must be at most 3 characters long"])
    }

    @Test func patternSearchesUnanchored() throws {
        #expect(try accepts(#"{"pattern": "[0-9]"}"#, #""abc1def""#))
        #expect(try !accepts(#"{"pattern": "^[0-9]$"}"#, #""abc1def""#))
        #expect(try messages(#"{"pattern": "^[a-z]+$"}"#, #""Abc""#) == [#""Abc" must match pattern ^[a-z]+$"#])
        #expect(try accepts(#"{"pattern": "^[a-z]+$"}"#, "42"))  // only strings are checked
    }

    @Test func patternFollowsECMAScriptNotPCRE() throws {
        #expect(try !accepts(#"{"pattern": "^abc$"}"#, #""abc\n""#))  // $ is the end, not before a newline
        #expect(try !accepts(#"{"pattern": "^\\d$"}"#, "\"\u{663}\""))  // \d is ASCII only
        #expect(try !accepts(#"{"pattern": "^\\w$"}"#, #""é""#))
        #expect(try accepts(#"{"pattern": "^\\s$"}"#, "\"\u{FEFF}\""))
        #expect(try accepts(#"{"pattern": "^\\cJ$"}"#, #""\n""#))
        #expect(try accepts(#"{"pattern": "^.$"}"#, "\"\u{1F432}\""))  // . is one code point
        #expect(try !accepts(#"{"pattern": "^.$"}"#, #""\n""#))
        #expect(try accepts(#"{"pattern": "^[[]+$"}"#, #""[[""#))  // [ inside a class is literal
        #expect(try accepts(#"{"pattern": "^[a&&b]+$"}"#, #""&a""#))  // && is not intersection
        #expect(try !accepts(#"{"pattern": "[]"}"#, #""anything""#))
        #expect(try accepts(#"{"pattern": "^[^]$"}"#, #""\n""#))
    }

    @Test func invalidPatternIsALoadError() throws {
        let error = try #require(loadError(#"{"properties": {"a": {"pattern": "^(abc"}}}"#))
        #expect(error.keywordLocation == "/properties/a/pattern")
        #expect(error.message.hasPrefix("invalid regular expression ^(abc"))
        #expect(loadError(#"{"patternProperties": {"(": true}}"#)?.keywordLocation == "/patternProperties/(")
    }

    @Test func formatIsAnAnnotation() throws {
        #expect(try accepts(#"{"format": "email"}"#, #""not an email""#))
        #expect(try accepts(#"{"format": "made-up-format"}"#, "12"))
    }
}
