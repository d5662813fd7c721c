import BelfryJSON
import BelfryManifest
import BelfrySource
import Foundation
import Testing

/// Editing one object in a set of manifest files: only its document changes, and the result
/// loads to the expected set.
@Suite struct ManifestEditorTests {
    static func exampleFiles() throws -> [String: String] {
        var files: [String: String] = [:]
        for name in ["chat.yaml", "dashboards.yaml", "users.yaml"] {
            files[name] = try String(
                contentsOf: ManifestYAMLTests.examples.appendingPathComponent(name), encoding: .utf8)
        }
        return files
    }

    /// A hand-written file: a header, comments around documents, `...` markers, a comment-only document.
    static let multi = """
        # yaml-language-server: $schema=../schemas/app.schema.json
        # Header: two apps and a user.

        # The first app.
        apiVersion: belfry.dev/v1
        kind: App
        metadata:
          name: one
        spec:
          id: "2001"   # a comment inside the document
          key: one-key
          secret: { value: one-secret }
        # after one
        ---
        # The second app, with a comment above it.
        apiVersion: belfry.dev/v1
        kind: App
        metadata:
          name: two
        spec:
          id: "2002"
          key: two-key
          secret: { value: two-secret }
        ...
        # between documents
        --- # the user
        apiVersion: belfry.dev/v1
        kind: User
        metadata:
          name: bob
        spec:
          email: bob@example.com
          passwordHash: "$2b$12$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P"

        """

    static let app = ManifestIdentity(kind: "App", name: "two")

    /// The object `identity` declares in `files`, with `patch` merged in.
    static func patched(_ files: [String: String], _ identity: ManifestIdentity, _ patch: String) throws -> JSONValue {
        let object = try ManifestEditor(files: files).object(identity).get()
        return JSONMergePatch.apply(patch: try JSONParser.parse(patch), to: object)
    }

    /// The manifest set `files` load to, written to a temporary directory and read by the loader.
    static func load(_ files: [String: String]) throws -> ManifestSet {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for (path, text) in files {
            try dir.write(path, text)
        }
        return try DirectorySource(path: dir.path).manifestSet()
    }

    @Test func locateFindsTheDocumentAndItsLines() throws {
        let editor = ManifestEditor(files: try Self.exampleFiles())
        let legacy = try editor.locate(ManifestIdentity(kind: "App", name: "legacy-game")).get()
        #expect(legacy.file == "dashboards.yaml")
        #expect(legacy.index == 1)
        #expect(legacy.lines == 26...34)
        #expect(legacy.location == ManifestLocation(file: "dashboards.yaml", line: 26, column: 1))
        let dashboard = try editor.locate(ManifestIdentity(kind: "App", name: "dashboard")).get()
        #expect(dashboard.index == 0)
        #expect(dashboard.lines == 3...24)
        #expect(try editor.locate(ManifestIdentity(kind: "User", name: "alice")).get().lines == 4...10)
        #expect(
            editor.locate(ManifestIdentity(kind: "User", name: "chat"))
                == .failure(.notFound(.init(kind: "User", name: "chat"))))
    }

    @Test func replaceRewritesOnlyThatDocumentOfAnExample() throws {
        let files = try Self.exampleFiles()
        let identity = ManifestIdentity(kind: "App", name: "legacy-game")
        let object = try Self.patched(files, identity, #"{"spec":{"enabled":true}}"#)
        let change = try ManifestEditor(files: files).replace(object: object).get()
        let original = try #require(files["dashboards.yaml"])
        let expected = original.replacingOccurrences(
            of: "  enabled: false   # new connections are refused with 4003\n", with: "  enabled: true\n")
        #expect(change.files == ["dashboards.yaml": expected])
        #expect(change.description == #"replace App "legacy-game" in dashboards.yaml (document 2 of 2)"#)
        let set = try Self.load(change.applied(to: files))
        #expect(set.errors == [])
        #expect(set.apps.map(\.name) == ["chat", "dashboard", "legacy-game"])
        #expect(set.apps.last?.enabled == true)
    }

    @Test func replaceKeepsTheFileHeaderAboveTheFirstDocument() throws {
        let files = try Self.exampleFiles()
        let object = try Self.patched(
            files, ManifestIdentity(kind: "App", name: "chat"), #"{"spec":{"clientEvents":false}}"#)
        let change = try ManifestEditor(files: files).replace(object: object).get()
        let original = try #require(files["chat.yaml"])
        #expect(
            change.files == [
                "chat.yaml": original.replacingOccurrences(of: "clientEvents: true", with: "clientEvents: false")
            ])
    }

    @Test func deleteRemovesADocumentAndItsSeparator() throws {
        let files = try Self.exampleFiles()
        let original = try #require(files["dashboards.yaml"])
        let editor = ManifestEditor(files: files)
        let second = try editor.delete(ManifestIdentity(kind: "App", name: "legacy-game")).get()
        let separator = try #require(original.range(of: "---\n"))
        #expect(second.files == ["dashboards.yaml": String(original[..<separator.lowerBound])])
        // The first document goes with the separator after it; the file's header stays.
        let first = try editor.delete(ManifestIdentity(kind: "App", name: "dashboard")).get()
        let header = original.split(separator: "\n").prefix(2).joined(separator: "\n") + "\n"
        #expect(first.files == ["dashboards.yaml": header + String(original[separator.upperBound...])])
        let set = try Self.load(first.applied(to: files))
        #expect(set.errors == [])
        #expect(set.apps.map(\.name) == ["chat", "legacy-game"])
    }

    @Test func deletingTheOnlyDocumentDeletesTheFile() throws {
        let files = try Self.exampleFiles()
        let change = try ManifestEditor(files: files).delete(ManifestIdentity(kind: "App", name: "chat")).get()
        #expect(change.files == ["chat.yaml": String?.none])
        #expect(change.description == #"delete chat.yaml (only App "chat")"#)
        #expect(try Self.load(change.applied(to: files)).apps.map(\.name) == ["dashboard", "legacy-game"])
    }

    @Test func createWritesAPredictableFile() throws {
        let files = try Self.exampleFiles()
        let object = try JSONParser.parse(
            #"{"apiVersion":"belfry.dev/v1","kind":"App","metadata":{"name":"game"},"#
                + #""spec":{"id":"1004","key":"game-key","secret":{"value":"game-secret"}}}"#)
        let change = try ManifestEditor(files: files).create(object: object).get()
        let text = """
            apiVersion: belfry.dev/v1
            kind: App
            metadata:
              name: game
            spec:
              id: "1004"
              key: game-key
              secret: { value: game-secret }

            """
        #expect(change.files == ["apps/game.yaml": text])
        #expect(change.description == #"create App "game" in apps/game.yaml"#)
        #expect(
            try Self.load(change.applied(to: files)).apps.map(\.name) == ["game", "chat", "dashboard", "legacy-game"])
        let user = try JSONParser.parse(
            #"{"apiVersion":"belfry.dev/v1","kind":"User","metadata":{"name":"bob"},"spec":{"email":"b@example.com"}}"#)
        #expect(try ManifestEditor(files: files).create(object: user).get().files.keys.first == "users/bob.yaml")
    }

    @Test func createRefusesExistingObjectsPathsAndBadNames() throws {
        let files = try Self.exampleFiles()
        let editor = ManifestEditor(files: files)
        func app(_ name: String, kind: String = "App") throws -> JSONValue {
            try JSONParser.parse(
                #"{"apiVersion":"belfry.dev/v1","kind":"\#(kind)","metadata":{"name":"\#(name)"},"spec":{}}"#)
        }
        #expect(
            editor.create(object: try app("legacy-game"))
                == .failure(
                    .alreadyExists(
                        ManifestIdentity(kind: "App", name: "legacy-game"),
                        ManifestLocation(file: "dashboards.yaml", line: 26, column: 1))))
        let taken = ManifestEditor(files: files.merging(["apps/game.yaml": "# reserved\n"]) { $1 })
        #expect(taken.create(object: try app("game")) == .failure(.pathExists("apps/game.yaml")))
        for bad in [try app("../etc"), try app("Game"), try app("game", kind: "Other"), .object([])] {
            guard case .failure(.invalidObject) = editor.create(object: bad) else {
                Issue.record("\(bad.serialized) was accepted")
                continue
            }
        }
    }

    @Test func errorsAreValues() throws {
        let files = try Self.exampleFiles()
        let twice = ManifestEditor(files: files.merging(["again.yaml": files["chat.yaml"]!]) { $1 })
        let chat = ManifestIdentity(kind: "App", name: "chat")
        #expect(
            twice.delete(chat)
                == .failure(
                    .ambiguous(
                        chat,
                        [
                            ManifestLocation(file: "again.yaml", line: 3, column: 1),
                            ManifestLocation(file: "chat.yaml", line: 3, column: 1),
                        ])))
        let broken = ManifestEditor(files: files.merging(["broken.yaml": "kind: [\n"]) { $1 })
        guard case .failure(.unparseable(let file, let errors)) = broken.locate(chat) else {
            Issue.record("a broken file was not reported")
            return
        }
        #expect(file == "broken.yaml")
        #expect(errors.first?.description.hasPrefix("broken.yaml:2:1: error: invalid YAML") == true)
        #expect(
            ManifestEditor(files: files).replace(object: .object([("kind", .string("App"))]))
                == .failure(.invalidObject("kind and metadata.name must be strings")))
    }
}
