import JSONSchema
import Testing

@Suite struct CombinatorTests {
    @Test func allOfReportsEveryFailingBranch() throws {
        #expect(
            try violations(#"{"allOf": [{"minimum": 2}, {"multipleOf": 2}]}"#, "1").map(\.keywordLocation) == [
                "/allOf/0/minimum", "/allOf/1/multipleOf",
            ])
    }

    @Test func anyOfReportsOneLineWhenNoAlternativeTakesTheType() throws {
        #expect(
            try violations(#"{"anyOf": [{"type": "string"}, {"type": "object"}]}"#, "true") == [
                SchemaViolation(
                    instanceLocation: "", keywordLocation: "/anyOf",
                    message: "must be a string or an object, got a boolean")
            ])
    }

    @Test func anyOfReportsTheClosestAlternativeOnly() throws {
        let shapes = #"""
            {"anyOf": [
              {"type": "string", "maxLength": 3},
              {"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "integer"}}}
            ]}
            """#
        #expect(
            try violations(shapes, #"{"a": 1}"#) == [
                SchemaViolation(
                    instanceLocation: "", keywordLocation: "/anyOf/1/required", message: #"missing required field "b""#)
            ])
        #expect(try messages(shapes, #""long""#) == ["must be at most 3 characters long"])
    }

    @Test func oneOfPicksTheBranchWithFewestViolations() throws {
        let secret = #"""
            {"oneOf": [
              {"type": "object", "additionalProperties": false, "required": ["value"], "properties": {"value": {"type": "string"}}},
              {"type": "object", "additionalProperties": false, "required": ["env"], "properties": {"env": {"pattern": "^[A-Z_]+$"}}}
            ]}
            """#
        #expect(
            try violations(secret, #"{"env": "lower"}"#) == [
                SchemaViolation(
                    instanceLocation: "/env", keywordLocation: "/oneOf/1/properties/env/pattern",
                    message: #""lower" must match pattern ^[A-Z_]+$"#)
            ])
        #expect(try accepts(secret, #"{"value": "s"}"#))
    }

    @Test func oneOfRejectsMoreThanOneMatch() throws {
        #expect(
            try messages(#"{"oneOf": [{"minimum": 0}, {"maximum": 10}, {"type": "string"}]}"#, "5") == [
                #"must match exactly one "oneOf" alternative, but matches alternatives 0 and 1"#
            ])
    }

    @Test func notInvertsItsSchema() throws {
        #expect(try accepts(#"{"not": {"type": "string"}}"#, "1"))
        #expect(
            try violations(#"{"not": {"type": "string"}}"#, #""s""#) == [
                SchemaViolation(
                    instanceLocation: "", keywordLocation: "/not", message: #"must not match the "not" schema"#)
            ])
    }

    @Test func ifThenElseReportsThroughTheChosenBranch() throws {
        let webhooks = #"""
            {"if": {"properties": {"enabled": {"const": true}}, "required": ["enabled"]},
             "then": {"required": ["url"]}, "else": {"maxProperties": 1}}
            """#
        #expect(try accepts(webhooks, #"{"enabled": true, "url": "u"}"#))
        #expect(
            try violations(webhooks, #"{"enabled": true}"#) == [
                SchemaViolation(
                    instanceLocation: "", keywordLocation: "/then/required", message: #"missing required field "url""#)
            ])
        #expect(
            try violations(webhooks, #"{"enabled": false, "x": 1}"#).map(\.keywordLocation) == ["/else/maxProperties"])
        #expect(try accepts(#"{"then": false}"#, "1"))  // then without if does nothing
    }
}
