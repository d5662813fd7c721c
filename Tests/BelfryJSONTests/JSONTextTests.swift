import BelfryJSON
import Foundation
import Testing

/// JSON string literals written by `JSONText.quoted`: exact escapes, and a round trip through
/// Foundation's parser for every kind of character.
@Suite struct JSONTextTests {
    @Test func escapesExactly() {
        #expect(JSONText.quoted("plain") == #""plain""#)
        #expect(JSONText.quoted("q\"b\\") == #""q\"b\\""#)
        #expect(JSONText.quoted("\n\r\t\u{08}\u{0C}") == #""\n\r\t\b\f""#)
        #expect(JSONText.quoted("\u{00}\u{1F}") == #""\u0000\u001f""#)
        #expect(JSONText.quoted("é€😀 \"x\"") == #""é€😀 \"x\"""#)
    }

    @Test(arguments: [
        "", "a", "a plain string longer than fifteen bytes", "é€😀 plain multi-byte",
        "{\"ts\":\"@T0000000000000042\",\"seq\":7}", "tab\there", "ctl\u{01}\u{7F}",
        "multi-byte é€😀 with \"quotes\" and \\ backslashes", String(repeating: "\"", count: 300),
    ])
    func roundTripsThroughFoundation(text: String) throws {
        let quoted = JSONText.quoted(text)
        let parsed = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: [.fragmentsAllowed])
        #expect(parsed as? String == text)
        var bytes: [UInt8] = []
        JSONText.appendQuoted(text, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == quoted)
    }
}
