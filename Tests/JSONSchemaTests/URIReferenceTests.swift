import Testing

@testable import JSONSchema

/// RFC 3986 §5.4 examples, base `http://a/b/c/d;p?q`.
@Suite struct URIReferenceTests {
    @Test(arguments: [
        ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
        ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"),
        ("g#s", "http://a/b/c/g#s"), ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"), ("..", "http://a/b/"),
        ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../../g", "http://a/g"), ("/./g", "http://a/g"),
        ("g.", "http://a/b/c/g."), ("./../g", "http://a/b/g"), ("g/./h", "http://a/b/c/g/h"), ("g:h", "g:h"),
        ("urn:uuid:1#/x", "urn:uuid:1#/x"),
    ])
    func resolvesAgainstABase(reference: String, expected: String) {
        #expect(URIReference("http://a/b/c/d;p?q").resolving(URIReference(reference)).text == expected)
    }

    @Test func aDocumentWithoutIdHasAnEmptyBase() {
        #expect(URIReference("").resolving(URIReference("#/$defs/a")).text == "#/$defs/a")
        #expect(URIReference("").resolving(URIReference("common.json")).text == "common.json")
        #expect(URIReference("urn:example:a?q").resolving(URIReference("#x")).text == "urn:example:a?q#x")
    }
}
