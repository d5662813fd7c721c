import BelfryJSON
import BelfryManifest
import Testing

/// The editor on hand-written files: comments around documents, `...` markers, CRLF line
/// breaks, no final newline, a document on its `---` line. Other bytes stay as they were.
@Suite struct ManifestEditorLayoutTests {
    private let multi = ManifestEditorTests.multi
    private let one = ManifestIdentity(kind: "App", name: "one")
    private let two = ManifestIdentity(kind: "App", name: "two")
    private let bob = ManifestIdentity(kind: "User", name: "bob")

    private func replace(_ identity: ManifestIdentity, in text: String, patch: String) throws -> String {
        let files = ["multi.yaml": text]
        let object = try ManifestEditorTests.patched(files, identity, patch)
        let change = try ManifestEditor(files: files).replace(object: object).get()
        return try #require(change.files["multi.yaml"] ?? nil)
    }

    private func delete(_ identity: ManifestIdentity, in text: String) throws -> String {
        let change = try ManifestEditor(files: ["multi.yaml": text]).delete(identity).get()
        return try #require(change.files["multi.yaml"] ?? nil)
    }

    /// `text` with the bcrypt hash unquoted, as the renderer writes it (`$` needs no quotes).
    private func unquotedHash(_ text: String) -> String {
        text.replacingOccurrences(of: "\"$2b", with: "$2b").replacingOccurrences(of: "DiK9P\"", with: "DiK9P")
    }

    private func names(_ text: String) throws -> [String] {
        let set = try ManifestEditorTests.load(["multi.yaml": text])
        #expect(set.errors == [])
        return set.apps.map(\.name) + set.users.map(\.user.name)
    }

    @Test func locateCountsDocumentsAsTheLoaderDoes() throws {
        let editor = ManifestEditor(files: ["multi.yaml": multi])
        #expect(try editor.locate(one).get().lines == 5...12)
        #expect(try editor.locate(two).get().lines == 16...23)
        let user = try editor.locate(bob).get()
        #expect(user.index == 2)
        #expect(user.lines == 27...33)
    }

    @Test func replaceKeepsCommentsAroundTheDocumentAndLosesThoseInside() throws {
        let first = try replace(one, in: multi, patch: #"{"spec":{"key":"one-key-2"}}"#)
        #expect(
            first
                == multi.replacingOccurrences(
                    of: "  id: \"2001\"   # a comment inside the document\n  key: one-key\n",
                    with: "  id: \"2001\"\n  key: one-key-2\n"))
        let second = try replace(two, in: multi, patch: #"{"spec":{"enabled":false}}"#)
        #expect(second == multi.replacingOccurrences(of: "two-secret }\n", with: "two-secret }\n  enabled: false\n"))
        #expect(try names(second) == ["one", "two", "bob"])
    }

    @Test func deleteTakesTheSeparatorAndTheDocumentsOwnComments() throws {
        let withoutTwo = try delete(two, in: multi)
        let twoBlock = try #require(multi.range(of: "---\n# The second app")?.lowerBound)
        let afterTwo = try #require(multi.range(of: "...\n")?.upperBound)
        #expect(withoutTwo == String(multi[..<twoBlock]) + String(multi[afterTwo...]))
        #expect(try names(withoutTwo) == ["one", "bob"])

        let withoutBob = try delete(bob, in: multi)
        let userStart = try #require(multi.range(of: "--- # the user")?.lowerBound)
        #expect(withoutBob == String(multi[..<userStart]))
        #expect(try names(withoutBob) == ["one", "two"])

        // The first document has no `---`: the next one's goes, the header above it stays.
        let withoutOne = try delete(one, in: multi)
        let oneStart = try #require(multi.range(of: "apiVersion")?.lowerBound)
        let twoComment = try #require(multi.range(of: "# The second app")?.lowerBound)
        #expect(withoutOne == String(multi[..<oneStart]) + String(multi[twoComment...]))
        #expect(try names(withoutOne) == ["two", "bob"])
    }

    @Test func crlfFilesStayCRLF() throws {
        let crlf = multi.replacingOccurrences(of: "\n", with: "\r\n")
        let replaced = try replace(two, in: crlf, patch: #"{"spec":{"enabled":false}}"#)
        #expect(
            replaced
                == crlf.replacingOccurrences(of: "two-secret }\r\n", with: "two-secret }\r\n  enabled: false\r\n"))
        #expect(try names(replaced) == ["one", "two", "bob"])
        let deleted = try delete(two, in: crlf)
        #expect(deleted == (try delete(two, in: multi)).replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func aFileWithoutAFinalNewlineKeepsIt() throws {
        let bare = String(multi.dropLast())
        let replaced = try replace(bob, in: bare, patch: #"{"spec":{"email":"robert@example.com"}}"#)
        #expect(replaced == unquotedHash(bare.replacingOccurrences(of: "bob@example.com", with: "robert@example.com")))
        #expect(!replaced.hasSuffix("\n"))
    }

    @Test func documentEndMarkersStay() throws {
        let text = chatApp + "...\n# trailing comment\n" + "---\n" + aliceUser + "...\n"
        let replaced = try replace(
            ManifestIdentity(kind: "User", name: "alice"), in: text, patch: #"{"spec":{"email":"a@example.com"}}"#)
        #expect(
            replaced
                == chatApp + "...\n# trailing comment\n" + "---\n"
                + unquotedHash(aliceUser.replacingOccurrences(of: "alice@example.com", with: "a@example.com")) + "...\n"
        )
        let withoutChat = try delete(ManifestIdentity(kind: "App", name: "chat"), in: text)
        #expect(withoutChat == "# trailing comment\n---\n" + aliceUser + "...\n")
        #expect(try names(withoutChat) == ["alice"])
        // libyaml needs `---` after `...` (no bare document follows one), so a `...` goes with its document.
        let afterEnd =
            chatApp + "---\n" + aliceUser.replacingOccurrences(of: "alice", with: "al") + "...\n---\n" + aliceUser
        let withoutAl = try delete(ManifestIdentity(kind: "User", name: "al"), in: afterEnd)
        #expect(withoutAl == chatApp + "---\n" + aliceUser)
        #expect(try names(withoutAl) == ["chat", "alice"])
    }

    @Test func aDocumentOnItsSeparatorLine() throws {
        let text =
            chatApp + "--- {apiVersion: belfry.dev/v1, kind: User, metadata: {name: alice}, "
            + "spec: {email: alice@example.com, passwordHash: \"$2b$12$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P\"}}\n"
        let replaced = try replace(
            ManifestIdentity(kind: "User", name: "alice"), in: text, patch: #"{"spec":{"email":"a@example.com"}}"#)
        #expect(
            replaced
                == chatApp + "---\n"
                + unquotedHash(aliceUser.replacingOccurrences(of: "alice@example.com", with: "a@example.com")))
        #expect(try names(replaced) == ["chat", "alice"])
    }
}
