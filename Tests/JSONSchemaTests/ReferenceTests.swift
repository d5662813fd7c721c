import JSONSchema
import Testing

@Suite struct ReferenceTests {
    @Test func refKeywordLocationGoesThroughTheRef() throws {
        let limits = ##"""
            {"properties": {"spec": {"$ref": "#/$defs/spec"}},
             "$defs": {"spec": {"properties": {"limits": {"properties": {"maxConnections": {"maximum": 1000000}}}}}}}
            """##
        #expect(
            try violations(limits, ##"{"spec": {"limits": {"maxConnections": 2000000}}}"##) == [
                SchemaViolation(
                    instanceLocation: "/spec/limits/maxConnections",
                    keywordLocation: "/properties/spec/$ref/properties/limits/properties/maxConnections/maximum",
                    message: "must be ≤ 1000000")
            ])
    }

    @Test func refSiblingsApplyToo() throws {
        let withSibling = ##"{"$defs": {"s": {"type": "string"}}, "$ref": "#/$defs/s", "maxLength": 2}"##
        #expect(try messages(withSibling, ##""abc""##) == ["must be at most 2 characters long"])
        #expect(try messages(withSibling, "1") == ["must be a string, got a number"])
    }

    @Test func pointerFragmentsAreUnescaped() throws {
        let escaped = ##"""
            {"$defs": {"a/b": {"type": "integer"}, "c~d": {"type": "string"}, "e%f": {"type": "null"}},
             "properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c~0d"}, "z": {"$ref": "#/$defs/e%25f"}}}
            """##
        #expect(try accepts(escaped, ##"{"x": 1, "y": "s", "z": null}"##))
        #expect(try !accepts(escaped, ##"{"x": "1"}"##))
    }

    @Test func idsAndAnchorsResolveInsideTheDocument() throws {
        let bundled = ##"""
            {"$id": "https://belfry.dev/schemas/app.json",
             "properties": {"a": {"$ref": "common.json#/$defs/name"}, "b": {"$ref": "common.json#port"}},
             "$defs": {"common": {"$id": "common.json",
                                  "$defs": {"name": {"type": "string"}, "port": {"$anchor": "port", "maximum": 65535}}}}}
            """##
        #expect(try accepts(bundled, ##"{"a": "x", "b": 80}"##))
        #expect(
            try messages(bundled, ##"{"a": 1, "b": 70000}"##) == ["must be a string, got a number", "must be ≤ 65535"])
    }

    @Test func recursionThroughTheInstanceIsFine() throws {
        let tree = ##"{"type": "object", "properties": {"children": {"items": {"$ref": "#"}}}, "required": ["name"]}"##
        #expect(try accepts(tree, ##"{"name": 1, "children": [{"name": 2, "children": [{"name": 3}]}]}"##))
        #expect(
            try violations(tree, ##"{"name": 1, "children": [{"children": []}]}"##).map(\.instanceLocation) == [
                "/children/0"
            ])
    }

    @Test(arguments: [
        ##"{"$ref": "#"}"##,
        ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##,
        ##"{"anyOf": [{"type": "string"}, {"$ref": "#"}]}"##,
    ])
    func cyclesAreReportedNotRecursedForever(schemaText: String) throws {
        let found = try violations(schemaText, "1")
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("schema error: endless $ref cycle") == true)
    }

    @Test func cyclesAreNotSwallowedByNot() throws {
        #expect(
            try messages(##"{"not": {"$ref": "#"}}"##, "1") == [
                "schema error: endless $ref cycle through # at this location"
            ])
    }

    @Test func deepRecursionStopsWithAViolation() throws {
        let nested = try schema(##"{"items": {"$ref": "#"}}"##)
        var instance = json("[]")
        for _ in 0..<300 { instance = .array([instance]) }
        #expect(nested.validate(instance).map(\.message) == ["is nested too deeply to validate (more than 128 levels)"])
    }

    @Test func remoteAndUnresolvableRefsAreLoadErrors() throws {
        let remote = try #require(loadError(##"{"properties": {"a": {"$ref": "https://example.com/s.json"}}}"##))
        #expect(remote.keywordLocation == "/properties/a/$ref")
        #expect(remote.message.hasPrefix("remote $ref \"https://example.com/s.json\" is not supported"))
        #expect(
            loadError(##"{"$ref": "other.json"}"##)?.message
                == ##"$ref "other.json" does not resolve to a schema in this document"##)
        #expect(
            loadError(##"{"$ref": "#/$defs/missing"}"##)?.message
                == ##"$ref "#/$defs/missing" does not point to a schema"##)
        #expect(loadError(##"{"$ref": "#nowhere"}"##)?.message == ##"$ref "#nowhere": no $anchor "nowhere""##)
        #expect(loadError(##"{"$ref": "#/enum/0", "enum": [{}]}"##) != nil)  // data, not a schema
    }

    @Test func duplicateIdentifiersAreLoadErrors() {
        #expect(loadError(##"{"$defs": {"a": {"$anchor": "x"}, "b": {"$anchor": "x"}}}"##) != nil)
        #expect(loadError(##"{"$defs": {"a": {"$id": "a.json"}, "b": {"$id": "a.json"}}}"##) != nil)
        #expect(loadError(##"{"$id": "a.json#frag"}"##)?.message.contains("must not have a fragment") == true)
    }
}
