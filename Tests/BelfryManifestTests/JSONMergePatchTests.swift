import BelfryJSON
import BelfryManifest
import Testing

/// RFC 7386: the appendix examples, the section 3 example, and member order.
@Suite struct JSONMergePatchTests {
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func rfc7386AppendixA(original: String, patch: String, result: String) throws {
        let patched = JSONMergePatch.apply(patch: try JSONParser.parse(patch), to: try JSONParser.parse(original))
        #expect(patched.serialized == result)
    }

    @Test func rfc7386Section3Example() throws {
        let original = #"""
            {"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],
            "content":"This will be unchanged"}
            """#
        let patch =
            #"{"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}"#
        let patched = JSONMergePatch.apply(patch: try JSONParser.parse(patch), to: try JSONParser.parse(original))
        #expect(
            patched.serialized
                == #"{"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"#
                + #""content":"This will be unchanged","phoneNumber":"+01-123-456-7890"}"#)
    }

    /// A PATCH of a manifest keeps the file's field order: existing keys stay, new ones go last.
    @Test func existingMembersKeepTheirPlace() throws {
        let app = try JSONParser.parse(
            #"{"apiVersion":"belfry.dev/v1","kind":"App","metadata":{"name":"chat"},"#
                + #""spec":{"id":"1001","key":"chat-key","enabled":true,"clientEvents":true}}"#)
        let patch = try JSONParser.parse(#"{"spec":{"limits":{"maxConnections":10},"enabled":false,"id":null}}"#)
        #expect(
            JSONMergePatch.apply(patch: patch, to: app).serialized
                == #"{"apiVersion":"belfry.dev/v1","kind":"App","metadata":{"name":"chat"},"#
                + #""spec":{"key":"chat-key","enabled":false,"clientEvents":true,"limits":{"maxConnections":10}}}"#)
    }
}
