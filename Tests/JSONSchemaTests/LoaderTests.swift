import JSONSchema
import Testing

/// Loading is where honesty is enforced: what is not implemented is refused, never ignored.
@Suite struct LoaderTests {
    @Test func unknownKeywordIsRefusedWhereverItIs() {
        #expect(
            loadError(#"{"properties": {"a": {"maxlength": 3}}}"#)
                == SchemaLoadError(
                    keywordLocation: "/properties/a/maxlength",
                    message: #"unknown keyword "maxlength" (not implemented; it would be silently ignored)"#))
        #expect(
            loadError(#"{"$defs": {"unused": {"frobnicate": true}}}"#)?.keywordLocation == "/$defs/unused/frobnicate")
    }

    @Test func olderDraftKeywordsGetAHint() {
        #expect(
            loadError(#"{"definitions": {}}"#)?.message
                == #"unknown keyword "definitions" (draft 2020-12 uses "$defs")"#)
        #expect(loadError(#"{"dependencies": {}}"#) != nil)
        #expect(loadError(#"{"additionalItems": false}"#) != nil)
    }

    @Test(arguments: ["$dynamicRef", "$dynamicAnchor", "$vocabulary", "$recursiveRef", "$recursiveAnchor"])
    func dynamicScopesAndVocabulariesAreRefused(keyword: String) throws {
        let operand = keyword == "$vocabulary" ? "{}" : keyword == "$recursiveAnchor" ? "true" : "\"#meta\""
        let error = try #require(loadError(#"{"\#(keyword)": \#(operand)}"#))
        #expect(error.keywordLocation == "/\(keyword)")
        #expect(error.message.contains("not supported"))
    }

    @Test func onlyDraft2020_12IsAccepted() {
        #expect(loadError(#"{"$schema": "https://json-schema.org/draft/2020-12/schema"}"#) == nil)
        #expect(
            loadError(#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#)
                == SchemaLoadError(
                    keywordLocation: "/$schema",
                    message:
                        #"$schema "http://json-schema.org/draft-07/schema#" is not supported; only https://json-schema.org/draft/2020-12/schema"#
                ))
        #expect(loadError(#"{"$defs": {"old": {"$schema": "https://json-schema.org/draft/2019-09/schema"}}}"#) != nil)
    }

    @Test func annotationsAreAccepted() throws {
        let annotated = #"""
            {"title": "t", "description": "d", "default": 1, "examples": [1], "deprecated": true, "readOnly": true,
             "writeOnly": false, "$comment": "c", "contentMediaType": "application/json", "contentEncoding": "base64",
             "contentSchema": {"type": "object"}, "format": "uri"}
            """#
        #expect(try accepts(annotated, #""anything""#))
    }

    @Test func malformedOperandsAreRefused() {
        #expect(loadError(#"{"type": "text"}"#)?.message.hasPrefix(#""text" is not a type"#) == true)
        #expect(loadError(#"{"type": ["string", "string"]}"#)?.message == #"lists "string" twice"#)
        #expect(loadError(#"{"required": [1]}"#)?.message == "must be an array of strings")
        #expect(loadError(#"{"properties": {"a": 3}}"#)?.keywordLocation == "/properties/a")
        #expect(loadError(#"{"anyOf": []}"#)?.message == "must be a non-empty array")
        #expect(loadError(#"{"enum": 3}"#)?.message == "must be an array")
        #expect(loadError(#"{"uniqueItems": 1}"#)?.message == "must be true or false")
        #expect(loadError("3")?.message == "a schema must be an object or a boolean, not an integer")
    }

    @Test func unevaluatedKeywordsAreImplementedNotRefused() {
        #expect(loadError(#"{"unevaluatedProperties": false, "unevaluatedItems": false}"#) == nil)
    }
}
