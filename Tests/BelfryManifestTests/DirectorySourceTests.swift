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
        let snapshot = try DirectorySource(path: dir.path).load(environment: [:], secrets: defaultSecrets)
        #expect(snapshot.apps.map(\.name) == ["chat"])
        #expect(snapshot.users.map(\.name) == ["alice"])
        #expect(
            snapshot.revision.hasPrefix("dir:" + URL(fileURLWithPath: dir.path).standardizedFileURL.path + "@sha256:"))
    }

    /// Every edit of a directory is a new revision; the same files are the same revision.
    @Test func theRevisionIsADigestOfTheFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("apps/chat.yaml", chatApp)
        try dir.write("users/alice.yaml", aliceUser)
        let source = DirectorySource(path: dir.path)
        let first = try source.fetch()
        #expect(try source.fetch().revision == first.revision)
        #expect(first.label.hasSuffix("@" + first.revision.split(separator: ":").last!.prefix(12)))
        try dir.write("apps/chat.yaml", chatApp.replacingOccurrences(of: "chat-key", with: "chat-key-2"))
        let edited = try source.fetch()
        #expect(edited.revision != first.revision)
        try dir.write("apps/chat.yaml", chatApp)
        #expect(try source.fetch().revision == first.revision)
        // A file moved to another name is a change too.
        try FileManager.default.moveItem(atPath: dir.path + "/apps/chat.yaml", toPath: dir.path + "/apps/c.yaml")
        #expect(try source.fetch().revision != first.revision)
    }

    @Test func resolvesEnvAndFileSecretsWithinThePolicy() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let absolute = try dir.write("elsewhere/abs-secret", "absolute\n")
        try dir.write("secrets/chat", "from-file\n")
        try dir.write("a.yaml", chat(replacing: "{ value: chat-secret }", with: "{ file: chat }"))
        try dir.write("b.yaml", app("env", secret: "{ env: BELFRY_APP_ENV }"))
        try dir.write("c.yaml", app("abs", secret: "{ file: \(absolute) }"))
        try dir.write("users/alice.yaml", aliceUser)  // a source needs at least one User
        let policy = SecretPolicy(
            directories: [dir.path + "/secrets", dir.path + "/elsewhere"], envPrefix: "BELFRY_APP_")
        let snapshot = try DirectorySource(path: dir.path).load(
            environment: ["BELFRY_APP_ENV": "from-env"], secrets: policy)
        #expect(snapshot.apps.map(\.secret) == ["from-file", "from-env", "absolute"])
    }

    /// The repository cannot point a secret at the server's own files or variables.
    @Test func referencesOutsideThePolicyAreErrorsEvenForValidate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("secrets/ok", "fine\n")
        let outside = try dir.write("private/admin-token", "server secret\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/secrets/link", withDestinationPath: outside)
        try dir.write("a.yaml", app("a", secret: "{ file: \(outside) }"))
        try dir.write("b.yaml", app("b", secret: "{ file: ../private/admin-token }"))
        try dir.write("c.yaml", app("c", secret: "{ env: BELFRY_ADMIN_TOKEN }"))
        try dir.write("d.yaml", app("d", secret: "{ file: link }"))
        try dir.write("e.yaml", app("e", secret: "{ env: BELFRY_APP_UNSET }"))
        try dir.write("users/alice.yaml", aliceUser)
        let policy = SecretPolicy(directories: [dir.path + "/secrets"], envPrefix: "BELFRY_APP_")
        let report = try DirectorySource(path: dir.path).validate(
            environment: ["BELFRY_ADMIN_TOKEN": "t"], secrets: policy)
        let located = report.errors.map { "\($0.location.file): \($0.message)" }
        #expect(located.count == 4)
        #expect(
            located[0]
                == "a.yaml: secret file \(outside) is not allowed: it must be inside \(dir.path)/secrets (--secrets-dir)"
        )
        #expect(located[1].hasPrefix("b.yaml: secret file ../private/admin-token is not allowed"))
        #expect(located[2].hasPrefix("c.yaml: environment variable BELFRY_ADMIN_TOKEN is not allowed"))
        #expect(located[3].hasPrefix("d.yaml: secret file link is not allowed"))
        // Absent but allowed: only a warning where the check runs.
        #expect(report.warnings.map(\.location.file) == ["e.yaml"])
        let error = #expect(throws: SourceError.self) {
            try DirectorySource(path: dir.path).load(environment: ["BELFRY_ADMIN_TOKEN": "t"], secrets: policy)
        }
        #expect(error?.description.contains("server secret") == false)
    }

    @Test func errorsNameFilesRelativeToTheSourceDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("apps/chat.yaml", chat(replacing: "\"1001\"", with: "1001"))
        try dir.write("users/alice.yaml", aliceUser)  // a source needs at least one User
        let error = #expect(throws: SourceError.self) {
            try DirectorySource(path: dir.path).load(environment: [:], secrets: defaultSecrets)
        }
        #expect(error?.description == "apps/chat.yaml:6:7: error: /spec/id: must be a string, got a number (quote it)")
    }

    @Test func missingDirectoryIsAOneLineError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("file.yaml", chatApp)
        let missing = #expect(throws: SourceError.self) {
            try DirectorySource(path: dir.path + "/nope").load(secrets: defaultSecrets)
        }
        #expect(missing?.description == "error: config directory \(dir.path)/nope does not exist")
        let notDirectory = #expect(throws: SourceError.self) {
            try DirectorySource(path: file).load(secrets: defaultSecrets)
        }
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
