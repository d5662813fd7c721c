import JSONSchema
import Testing

/// `unevaluated*` see what the schema's other keywords evaluated, including through `$ref`,
/// `allOf`, matching `anyOf` branches and a passing `if` — the way to close a composed object.
@Suite struct UnevaluatedTests {
    static let composed = ##"""
        {"$defs": {"base": {"properties": {"name": {"type": "string"}}}},
         "$ref": "#/$defs/base",
         "anyOf": [{"properties": {"a": true}, "required": ["a"]}, {"properties": {"b": true}, "required": ["b"]}],
         "unevaluatedProperties": false}
        """##

    @Test func fieldsEvaluatedByInPlaceApplicatorsAreKnown() throws {
        #expect(try accepts(Self.composed, ##"{"name": "n", "a": 1}"##))
        #expect(
            try violations(Self.composed, ##"{"name": "n", "a": 1, "b2": 2}"##) == [
                SchemaViolation(
                    instanceLocation: "/b2", keywordLocation: "/unevaluatedProperties",
                    message: ##"unknown field "b2""##)
            ])
    }

    @Test func failedBranchesEvaluateNothing() throws {
        let branchy = ##"""
            {"anyOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": true}}],
             "unevaluatedProperties": false}
            """##
        #expect(try messages(branchy, ##"{"a": 1, "b": 1}"##) == [##"unknown field "a""##])
    }

    @Test func unevaluatedItemsSeesPrefixItemsAndContains() throws {
        let list =
            ##"{"prefixItems": [{"type": "string"}], "contains": {"type": "integer"}, "unevaluatedItems": false}"##
        #expect(try accepts(list, ##"["a", 1, 2]"##))
        #expect(
            try violations(list, ##"["a", 1, null]"##) == [
                SchemaViolation(
                    instanceLocation: "/2", keywordLocation: "/unevaluatedItems",
                    message: "is not allowed (unexpected item)")
            ])
    }

    @Test func ifContributesOnlyWhenItPasses() throws {
        let conditional = ##"""
            {"if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]},
             "then": {"properties": {"x": true}}, "else": {"properties": {"y": true}},
             "unevaluatedProperties": false}
            """##
        #expect(try accepts(conditional, ##"{"kind": "a", "x": 1}"##))
        #expect(try messages(conditional, ##"{"kind": "b", "y": 1}"##) == [##"unknown field "kind""##])
    }
}
