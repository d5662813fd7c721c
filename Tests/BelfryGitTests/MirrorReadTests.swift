import Foundation
import Testing

@testable import BelfryGit

@Suite struct MirrorReadTests {
    /// A mirror of a repository whose first commit has `config/apps/demo.yaml` (v1) and `other.yaml`,
    /// and whose second changes demo.yaml and adds `config/users/ops.yml` and a symbolic link.
    private func history() throws -> (GitFixture, GitMirror, first: CommitID, second: CommitID) {
        let fixture = try GitFixture()
        let first = try fixture.commit(
            "Add demo app\n\nWith a body.", ["config/apps/demo.yaml": "name: demo v1\n", "other.yaml": "x: 1\n"])
        try FileManager.default.createSymbolicLink(
            atPath: fixture.work + "/config/link.yaml", withDestinationPath: "../other.yaml")
        let second = try fixture.commit(
            "Rotate demo", ["config/apps/demo.yaml": "name: demo v2\n", "config/users/ops.yml": "user: ops\n"],
            author: "Bob Builder <bob@example.com>")
        try Data("name: uncommitted\n".utf8).write(to: URL(fileURLWithPath: fixture.work + "/config/apps/demo.yaml"))
        let mirror = try GitMirror(remote: GitRemote(url: fixture.work, branch: "main"), directory: fixture.mirror)
        _ = try mirror.fetch()
        return (fixture, mirror, CommitID(hex: first)!, CommitID(hex: second)!)
    }

    private func texts(_ files: [GitFile]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: files.map { ($0.path, String(decoding: $0.contents, as: UTF8.self)) })
    }

    @Test func readsFilesUnderAPrefixAtEachCommit() throws {
        let (_, mirror, first, second) = try history()
        #expect(texts(try mirror.files(at: first, under: "config/")) == ["config/apps/demo.yaml": "name: demo v1\n"])
        let latest = try mirror.files(at: second, under: "config/")
        #expect(latest.map(\.path) == ["config/apps/demo.yaml", "config/users/ops.yml"])
        #expect(texts(latest)["config/apps/demo.yaml"] == "name: demo v2\n")
    }

    @Test(arguments: ["config", "./config/", "/config", "config//"])
    func prefixSpellingsAreEquivalent(prefix: String) throws {
        let (_, mirror, _, second) = try history()
        #expect(
            try mirror.files(at: second, under: prefix).map(\.path) == [
                "config/apps/demo.yaml", "config/users/ops.yml",
            ])
    }

    @Test func wholeTreeSingleFileAndMissingPrefix() throws {
        let (_, mirror, first, _) = try history()
        #expect(try mirror.files(at: first, under: "").map(\.path) == ["config/apps/demo.yaml", "other.yaml"])
        #expect(texts(try mirror.files(at: first, under: "other.yaml")) == ["other.yaml": "x: 1\n"])
        #expect(try mirror.files(at: first, under: "nothing/here").isEmpty)
    }

    @Test func readsCommitMetadata() throws {
        let (_, mirror, first, second) = try history()
        let commit = try mirror.commit(first)
        #expect(commit.id == first)
        #expect(commit.id.short == String(first.hex.prefix(7)) && commit.id.short.count == 7)
        #expect(commit.author.name == "Alice" && commit.author.email == "alice@example.com")
        #expect(commit.committer.name == "Committer Carol" && commit.committer.email == "carol@example.com")
        #expect(commit.author.date == Date(timeIntervalSince1970: 1_714_972_089))
        #expect(commit.author.utcOffsetMinutes == 120)
        #expect(commit.subject == "Add demo app")
        #expect(commit.message == "Add demo app\n\nWith a body.\n")
        #expect(try mirror.commit(second).author.name == "Bob Builder")
    }

    @Test func unknownCommitIsNotFound() throws {
        let (_, mirror, _, _) = try history()
        let missing = CommitID(hex: String(repeating: "0123456789", count: 4))!
        #expect(throws: GitError.self) { try mirror.files(at: missing, under: "config") }
        do {
            _ = try mirror.commit(missing)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .notFound("commit 0123456"))
            #expect(error.operation == .readCommit)
        }
    }

    @Test func commitIDsAreValidated() {
        #expect(CommitID(hex: "abc") == nil)
        #expect(CommitID(hex: String(repeating: "g", count: 40)) == nil)
        #expect(CommitID(hex: String(repeating: "AB", count: 20))?.hex == String(repeating: "ab", count: 20))
    }
}
