import Testing

/// `enum`, `const` and `uniqueItems` share one deep equality.
@Suite struct EqualityTests {
    @Test(arguments: [
        ("1", "1.0", true), ("0", "-0", true), ("1e2", "100", true), ("false", "0", false), ("true", "1", false),
        ("null", "0", false), (#"{"a": 1, "b": 2}"#, #"{"b": 2.0, "a": 1}"#, true), ("[1, 2]", "[2, 1]", false),
        (#"{"a": 1}"#, #"{"a": 1, "b": null}"#, false), (#""é""#, #""e\u0301""#, false),
    ])
    func constComparesByJSONValue(constant: String, instance: String, equal: Bool) throws {
        #expect(try accepts(#"{"const": \#(constant)}"#, instance) == equal)
    }

    @Test func enumUsesTheSameEquality() throws {
        let values = #"{"enum": [1, {"k": [true]}, "x"]}"#
        #expect(try accepts(values, "1.0"))
        #expect(try accepts(values, #"{"k": [true]}"#))
        #expect(try !accepts(values, #"{"k": [1]}"#))
        #expect(try !accepts(values, "true"))
    }

    @Test func messagesListTheAllowedValues() throws {
        #expect(try messages(#"{"enum": ["a", "b"]}"#, #""c""#) == [#"must be one of: "a", "b""#])
        #expect(try messages(#"{"const": "App"}"#, #""Ap""#) == [#"must be "App""#])
        #expect(try messages(#"{"enum": [null]}"#, "1") == ["must be null"])
    }

    @Test func uniqueItemsFindsDeepDuplicates() throws {
        let unique = #"{"uniqueItems": true}"#
        #expect(
            try messages(unique, #"[{"a": 1, "b": 2}, 3, {"b": 2, "a": 1.0}]"#) == [
                "must not contain duplicates (items 0 and 2 are equal)"
            ])
        #expect(try accepts(unique, "[1, true, \"1\", [1], {\"1\": 1}]"))
        #expect(try accepts(#"{"uniqueItems": false}"#, "[1, 1]"))
    }
}
