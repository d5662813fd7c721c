import BelfryManifest
import BelfrySource
import Foundation
import Testing

/// Reading a config directory: which files, secrets from env and files, located errors.
@Suite struct DirectorySourceTests {
    @Test func readsYamlFilesRecursivelyAndSkipsDotEntries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("apps/chat.yml", chatApp)
        try dir.write("users/alice.yaml", aliceUser)
        try dir.write(".hidden/broken.yaml", "kind: [")
        try dir.write("apps/.draft.yaml", "kind: [")
        try dir.write("README.md", "not yaml: [")
        let snapshot = try DirectorySource(path: dir.path).load(environment: [:])
        #expect(snapshot.apps.map(\.name) == ["chat"])
        #expect(snapshot.users.map(\.name) == ["alice"])
        #expect(snapshot.revision == "dir:" + URL(fileURLWithPath: dir.path).standardizedFileURL.path)
    }

    @Test func resolvesEnvAndFileSecrets() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let absolute = try dir.write("elsewhere/abs-secret", "absolute\n")
        try dir.write("secrets/chat", "from-file\n")
        try dir.write("a.yaml", chat(replacing: "{ value: chat-secret }", with: "{ file: secrets/chat }"))
        try dir.write("b.yaml", app("env", secret: "{ env: ENV_SECRET }"))
        try dir.write("c.yaml", app("abs", secret: "{ file: \(absolute) }"))
        try dir.write("users/alice.yaml", aliceUser)  // a source needs at least one User
        let snapshot = try DirectorySource(path: dir.path).load(environment: ["ENV_SECRET": "from-env"])
        #expect(snapshot.apps.map(\.secret) == ["from-file", "from-env", "absolute"])
    }

    @Test func unresolvableSecretsAreLocatedAtTheSecretField() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("empty", "\n")
        try dir.write("a.yaml", app("a", secret: "{ env: MISSING }"))
        try dir.write("b.yaml", app("b", secret: "{ file: nowhere }"))
        try dir.write("c.yaml", app("c", secret: "{ file: empty }"))
        try dir.write("d.yaml", app("d", secret: "{ env: BLANK }"))
        try dir.write("users/alice.yaml", aliceUser)  // a source needs at least one User
        let error = #expect(throws: SourceError.self) {
            try DirectorySource(path: dir.path).load(environment: ["BLANK": ""])
        }
        #expect(
            error?.description == """
                a.yaml:8:11: error: /spec/secret: environment variable MISSING is not set
                b.yaml:8:11: error: /spec/secret: secret file nowhere does not exist
                c.yaml:8:11: error: /spec/secret: secret file empty is empty
                d.yaml:8:11: error: /spec/secret: environment variable BLANK is empty
                """)
    }

    @Test func errorsNameFilesRelativeToTheSourceDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("apps/chat.yaml", chat(replacing: "\"1001\"", with: "1001"))
        try dir.write("users/alice.yaml", aliceUser)  // a source needs at least one User
        let error = #expect(throws: SourceError.self) { try DirectorySource(path: dir.path).load(environment: [:]) }
        #expect(error?.description == "apps/chat.yaml:6:7: error: /spec/id: must be a string, got a number (quote it)")
    }

    @Test func missingDirectoryIsAOneLineError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("file.yaml", chatApp)
        let missing = #expect(throws: SourceError.self) { try DirectorySource(path: dir.path + "/nope").load() }
        #expect(missing?.description == "error: config directory \(dir.path)/nope does not exist")
        let notDirectory = #expect(throws: SourceError.self) { try DirectorySource(path: file).load() }
        #expect(notDirectory?.description == "error: config path \(file) is not a directory")
    }

    /// A valid app named `name` (id and key derived from it) with the given secret YAML.
    private func app(_ name: String, secret: String) -> String {
        chat(replacing: "name: chat", with: "name: \(name)")
            .replacingOccurrences(of: "\"1001\"", with: "\"id-\(name)\"")
            .replacingOccurrences(of: "chat-key", with: "key-\(name)")
            .replacingOccurrences(of: "{ value: chat-secret }", with: secret)
    }
}
