import Foundation
import Testing

@testable import BelfryGit

@Suite struct MirrorErrorTests {
    private func fetchError(_ remote: GitRemote, directory: String) -> GitError? {
        do {
            _ = try GitMirror(remote: remote, directory: directory).fetch()
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownBranchIsNotFound() throws {
        let fixture = try GitFixture()
        try fixture.commit("first")
        try fixture.push()
        let error = fetchError(GitRemote(url: fixture.originURL, branch: "nope"), directory: fixture.mirror)
        #expect(error?.kind == .notFound("nope"))
        #expect(error?.operation == .fetch)
        #expect(error?.description.contains("nope") == true)
    }

    @Test func missingRepositoryIsUnreachable() throws {
        let fixture = try GitFixture()
        let error = fetchError(GitRemote(url: "file:///nonexistent", branch: "main"), directory: fixture.mirror)
        #expect(error?.kind == .unreachable)
        #expect(error?.isTransient == true)
        #expect(error?.code ?? 0 < 0)
        #expect(error?.message.contains("nonexistent") == true)
    }

    @Test func emptyRemoteHasNoBranch() throws {
        let fixture = try GitFixture()
        let error = fetchError(GitRemote(url: fixture.origin, branch: "main"), directory: fixture.mirror)
        #expect(error?.kind == .notFound("main"))
    }

    @Test(arguments: [
        GitRemote(url: "ftp://example.com/repo.git", branch: "main"),
        GitRemote(url: "/srv/config.git", branch: "bad..name"),
        GitRemote(url: "/srv/config.git", branch: ""),
        GitRemote(url: "file:///srv/config.git", branch: "main", credentials: .token("t")),
        GitRemote(
            url: "https://example.com/config.git", branch: "main",
            credentials: .sshKey(SSHKeyCredentials(privateKeyPath: "/k", knownHosts: KnownHosts("")))),
    ])
    func badConfigurationIsRefusedBeforeAnyIO(remote: GitRemote) throws {
        let fixture = try GitFixture()
        #expect(throws: GitError.self) { try GitMirror(remote: remote, directory: fixture.mirror) }
        do {
            _ = try GitMirror(remote: remote, directory: fixture.mirror)
        } catch {
            #expect(error.kind == .other && error.operation == .open)
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.mirror))
    }

    @Test func directoryThatIsNotARepositoryIsCorrupt() throws {
        let fixture = try GitFixture()
        try FileManager.default.createDirectory(atPath: fixture.mirror, withIntermediateDirectories: true)
        try Data("junk".utf8).write(to: URL(fileURLWithPath: fixture.mirror + "/file"))
        do {
            _ = try GitMirror(remote: GitRemote(url: fixture.work, branch: "main"), directory: fixture.mirror)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .corrupt)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func descriptionsNeverShowTokens() {
        let remote = GitRemote(url: "https://example.com/c.git", branch: "main", credentials: .token("s3cr3t"))
        #expect(!remote.description.contains("s3cr3t"))
        #expect(remote.description.contains("x-access-token"))
    }
}
