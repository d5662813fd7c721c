import JSONSchema
import Testing

@Suite struct ObjectTests {
    static let closed = #"""
        {"type": "object", "additionalProperties": false, "required": ["key"],
         "properties": {"key": {"type": "string"}, "port": {"type": "integer"}}}
        """#

    @Test func unknownFieldsAreReportedOneByOneAtTheKey() throws {
        #expect(
            try violations(Self.closed, #"{"key": "k", "foo": 1, "bar": 2}"#) == [
                SchemaViolation(
                    instanceLocation: "/foo", keywordLocation: "/additionalProperties", message: #"unknown field "foo""#
                ),
                SchemaViolation(
                    instanceLocation: "/bar", keywordLocation: "/additionalProperties", message: #"unknown field "bar""#
                ),
            ])
    }

    @Test func missingRequiredIsReportedAtTheObject() throws {
        #expect(
            try violations(Self.closed, #"{"port": 1}"#) == [
                SchemaViolation(
                    instanceLocation: "", keywordLocation: "/required", message: #"missing required field "key""#)
            ])
    }

    @Test func invalidDeclaredFieldIsNotAlsoUnknown() throws {
        #expect(
            try violations(Self.closed, #"{"key": 1}"#) == [
                SchemaViolation(
                    instanceLocation: "/key", keywordLocation: "/properties/key/type",
                    message: "must be a string, got a number")
            ])
    }

    @Test func additionalPropertiesSkipsPatternMatches() throws {
        let labels = #"""
            {"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": {"type": "integer"}}
            """#
        #expect(try accepts(labels, #"{"x-team": "a", "count": 3}"#))
        #expect(
            try violations(labels, #"{"x-team": 1, "count": "3"}"#).map(\.keywordLocation) == [
                "/patternProperties/^x-/type", "/additionalProperties/type",
            ])
    }

    @Test func patternPropertiesAreUnanchoredSearches() throws {
        #expect(try !accepts(#"{"patternProperties": {"f.o": {"type": "integer"}}}"#, #"{"xxfoo": "s"}"#))
    }

    @Test func propertyNamesAreCheckedAsStrings() throws {
        let names = #"{"propertyNames": {"pattern": "^[a-z]+$", "maxLength": 5}}"#
        #expect(
            try violations(names, #"{"ok": 1, "Bad": 2}"#) == [
                SchemaViolation(
                    instanceLocation: "/Bad", keywordLocation: "/propertyNames/pattern",
                    message: #"field name "Bad" must match pattern ^[a-z]+$"#)
            ])
        #expect(try messages(#"{"propertyNames": false}"#, #"{"a": 1}"#) == [#"field name "a" is not allowed"#])
        #expect(try accepts(#"{"propertyNames": false}"#, "{}"))
    }

    @Test func propertyCounts() throws {
        #expect(try messages(#"{"minProperties": 2}"#, #"{"a": 1}"#) == ["must have at least 2 fields"])
        #expect(try messages(#"{"maxProperties": 1}"#, #"{"a": 1, "b": 2}"#) == ["must have at most 1 field"])
        #expect(try accepts(#"{"maxProperties": 0}"#, "[1, 2]"))
    }

    @Test func dependentRequiredNamesTheTrigger() throws {
        let dependent = #"{"dependentRequired": {"tls": ["cert", "key"]}}"#
        #expect(try accepts(dependent, #"{"cert": 1}"#))
        #expect(
            try messages(dependent, #"{"tls": true, "key": 1}"#) == [
                #"missing field "cert" (required when "tls" is present)"#
            ])
    }

    @Test func dependentSchemasApplyWhenTheTriggerIsPresent() throws {
        let dependent = #"{"dependentSchemas": {"tls": {"required": ["cert"]}}}"#
        #expect(try accepts(dependent, #"{"other": 1}"#))
        #expect(
            try violations(dependent, #"{"tls": true}"#).map(\.keywordLocation) == ["/dependentSchemas/tls/required"])
    }

    @Test func locationsAreEscapedJSONPointers() throws {
        let tricky = #"{"properties": {"a/b": {"properties": {"c~d": {"type": "string"}}}}}"#
        #expect(
            try violations(tricky, #"{"a/b": {"c~d": 1}}"#) == [
                SchemaViolation(
                    instanceLocation: "/a~1b/c~0d", keywordLocation: "/properties/a~1b/properties/c~0d/type",
                    message: "must be a string, got a number")
            ])
    }
}
