import Testing

@Suite struct TypeTests {
    @Test(arguments: [
        ("1", true), ("1.0", true), ("1e2", true), ("-0", true), ("1.5", false), ("1e-1", false), ("true", false),
        ("\"1\"", false), ("null", false),
    ])
    func integerAcceptsIntegralNumbersOnly(instance: String, valid: Bool) throws {
        #expect(try accepts(#"{"type": "integer"}"#, instance) == valid)
    }

    @Test(arguments: [("1", true), ("1.5", true), ("false", false), ("true", false), ("\"2\"", false)])
    func numberNeverAcceptsBooleans(instance: String, valid: Bool) throws {
        #expect(try accepts(#"{"type": "number"}"#, instance) == valid)
    }

    @Test(arguments: ["0", "1", "0.0", "\"\"", "null"])
    func booleanNeverAcceptsNumbersOrFalsyValues(instance: String) throws {
        #expect(try !accepts(#"{"type": "boolean"}"#, instance))
    }

    @Test func arrayOfTypesAcceptsAny() throws {
        let types = #"{"type": ["string", "null"]}"#
        #expect(try accepts(types, "null"))
        #expect(try accepts(types, #""x""#))
        #expect(try messages(types, "3") == ["must be a string or null, got a number"])
    }

    @Test func messagesNameTheExpectedType() throws {
        #expect(try messages(#"{"type": "integer"}"#, "1.5") == ["must be an integer, got a number"])
        #expect(try messages(#"{"type": "object"}"#, "[]") == ["must be an object, got an array"])
        #expect(
            try messages(#"{"type": ["integer", "boolean", "array"]}"#, "{}") == [
                "must be an integer, a boolean or an array, got an object"
            ])
    }

    @Test func booleanSchemas() throws {
        #expect(try accepts("true", #"{"anything": [1]}"#))
        #expect(
            try violations("false", "1") == [
                .init(instanceLocation: "", keywordLocation: "", message: "is not allowed")
            ])
    }

    @Test func numberTextThatIsNotJSONIsReportedNotIgnored() throws {
        let limited = try schema(#"{"maximum": 10}"#)
        #expect(limited.validate(.number("0x1F")).map(\.message) == ["is not a valid JSON number: 0x1F"])
    }
}
