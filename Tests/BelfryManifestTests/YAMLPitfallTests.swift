import BelfryManifest
import Testing

/// YAML 1.1 surprises and syntax problems are reported, never silently accepted.
@Suite struct YAMLPitfallTests {
    @Test(arguments: ["yes", "on", "No", "OFF", "y"])
    func yaml11BooleansAreRejected(word: String) {
        #expect(
            errorLines(chatApp + "  enabled: \(word)\n") == [
                "t.yaml:9:12: error: /spec/enabled: must be true or false, got '\(word)'"
            ])
    }

    @Test func quotedBooleanIsRejected() {
        #expect(
            errorLines(chatApp + "  clientEvents: \"true\"\n") == [
                "t.yaml:9:17: error: /spec/clientEvents: must be true or false, got the string \"true\""
            ])
    }

    @Test(arguments: ["1001", "1e3", "0x10", "~", "2024-01-01", "true"])
    func unquotedNonStringIdIsRejected(value: String) {
        let expected = value == "~" ? "must be a string, got an empty value" : "must be a string (quote it)"
        #expect(errorLines(chat(replacing: "\"1001\"", with: value)) == ["t.yaml:6:7: error: /spec/id: \(expected)"])
    }

    @Test func norwayInAnOriginListIsNotFalse() {
        #expect(
            errorLines(chatApp + "  allowedOrigins: [NO]\n") == [
                "t.yaml:9:20: error: /spec/allowedOrigins/0: must be a string (quote it)"
            ])
    }

    @Test func unknownFieldIsReportedAtItsKey() {
        #expect(
            errorLines(chat(replacing: "  name: chat\n", with: "  name: chat\n  labels: {}\n")) == [
                "t.yaml:5:3: error: /metadata/labels: unknown field"
            ])
        #expect(errorLines(chatApp + "status: {}\n") == ["t.yaml:9:1: error: /status: unknown field"])
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
