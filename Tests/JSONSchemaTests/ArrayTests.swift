import JSONSchema
import Testing

@Suite struct ArrayTests {
    @Test func itemsAppliesToEveryItemWithItsIndex() throws {
        #expect(
            try violations(#"{"items": {"type": "string"}}"#, #"["a", 2, "c", null]"#) == [
                SchemaViolation(
                    instanceLocation: "/1", keywordLocation: "/items/type", message: "must be a string, got a number"),
                SchemaViolation(
                    instanceLocation: "/3", keywordLocation: "/items/type", message: "must be a string, got null"),
            ])
    }

    @Test func itemsStartsAfterPrefixItems() throws {
        let tuple = #"{"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}"#
        #expect(try accepts(tuple, #"["a", 1]"#))
        #expect(try accepts(tuple, #"["a"]"#))
        #expect(
            try violations(tuple, #"["a", 1, 2]"#) == [
                SchemaViolation(
                    instanceLocation: "/2", keywordLocation: "/items", message: "is not allowed (at most 2 items)")
            ])
        #expect(try violations(tuple, #"[1]"#).map(\.keywordLocation) == ["/prefixItems/0/type"])
    }

    @Test func itemCounts() throws {
        #expect(try messages(#"{"minItems": 1}"#, "[]") == ["must have at least 1 item"])
        #expect(try messages(#"{"maxItems": 2}"#, "[1, 2, 3]") == ["must have at most 2 items"])
        #expect(try accepts(#"{"minItems": 1}"#, #""not an array""#))
    }

    @Test func containsCountsMatches() throws {
        let contains = #"{"contains": {"type": "integer"}, "minContains": 2, "maxContains": 3}"#
        #expect(try accepts(contains, #"[1, "a", 2]"#))
        #expect(
            try messages(contains, #"[1, "a"]"#) == [#"must contain at least 2 items matching the "contains" schema"#])
        #expect(
            try messages(contains, "[1, 2, 3, 4]") == [#"must contain at most 3 items matching the "contains" schema"#])
        #expect(
            try messages(#"{"contains": {"const": 1}}"#, "[]") == [
                #"must contain at least 1 item matching the "contains" schema"#
            ])
        #expect(try accepts(#"{"contains": {"const": 1}, "minContains": 0}"#, "[]"))
        #expect(try accepts(#"{"maxContains": 0}"#, "[1]"))  // ignored without contains
    }

    @Test func arrayFormOfItemsIsDraft2019AndRefused() {
        #expect(
            loadError(#"{"items": [{"type": "string"}]}"#)?.message
                == "a schema must be an object or a boolean, not an array")
    }
}
