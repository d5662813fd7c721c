import BelfryManifest
import Testing

/// YAML 1.1 surprises and syntax problems are reported, never silently accepted.
@Suite struct YAMLPitfallTests {
    private let boolean =
        "must be a boolean, got a string "
        + "(write true or false; YAML 1.1 words like yes/off and quoted \"true\" are strings)"

    @Test(arguments: ["yes", "on", "No", "OFF", "y"])
    func yaml11BooleansAreRejected(word: String) {
        #expect(
            errorLines(chatApp + "  enabled: \(word)\n") == [
                "t.yaml:9:12: error: /spec/enabled: \(boolean)"
            ])
    }

    @Test func quotedBooleanIsRejected() {
        #expect(
            errorLines(chatApp + "  clientEvents: \"true\"\n") == [
                "t.yaml:9:17: error: /spec/clientEvents: \(boolean)"
            ])
    }

    @Test(arguments: [
        ("1001", "must be a string, got a number (quote it)"),
        ("1e3", "must be a string, got a number (quote it)"),
        ("0x10", "must be a string, got a number (quote it)"),
        // An empty value needs a value, not quotes: quoting `~` gives "~", which is no valid id either.
        ("~", "must be a string, got an empty value"),
        ("2024-01-01", "\"2024-01-01\" is a date in YAML 1.1; quote it to keep it a string"),
        ("true", "must be a string, got a boolean (quote it)"),
    ])
    func unquotedNonStringIdIsRejected(value: String, expected: String) {
        #expect(errorLines(chat(replacing: "\"1001\"", with: value)) == ["t.yaml:6:7: error: /spec/id: \(expected)"])
    }

    @Test func norwayInAnOriginListIsNotFalse() {
        #expect(
            errorLines(chatApp + "  allowedOrigins: [NO]\n") == [
                "t.yaml:9:20: error: /spec/allowedOrigins/0: \"NO\" is a boolean in YAML 1.1; quote it to keep it a string"
            ])
    }

    @Test func unknownFieldIsReportedAtItsKey() {
        #expect(
            errorLines(chat(replacing: "  name: chat\n", with: "  name: chat\n  labels: {}\n")) == [
                "t.yaml:5:3: error: /metadata/labels: unknown field \"labels\""
            ])
        #expect(errorLines(chatApp + "status: {}\n") == ["t.yaml:9:1: error: /status: unknown field \"status\""])
    }

    @Test func duplicateKeyIsReported() {
        let errors = errorLines(chat(replacing: "  key: chat-key\n", with: "  key: chat-key\n  id: \"1002\"\n"))
        #expect(errors == ["t.yaml:6:3: error: duplicate key \"id\""])
    }

    @Test func syntaxErrorIsLocated() {
        let errors = errorLines(chat(replacing: "  key: chat-key\n", with: "  key: [chat-key\n"))
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("t.yaml:8:") == true)
        #expect(errors.first?.contains("error: invalid YAML: ") == true)
    }

    @Test func documentsBeforeASyntaxErrorAreStillDecoded() {
        let documents = ManifestDecoder.decode(yaml: chatApp + "---\nkind: [\n", file: "t.yaml")
        #expect(documents.apps.map(\.name) == ["chat"])
        #expect(documents.errors.count == 1)
    }
}
