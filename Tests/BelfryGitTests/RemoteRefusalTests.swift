import Foundation
import Testing

@testable import BelfryGit

/// Refusals only a real git server gives (libgit2's `file://` transport runs no hooks), through
/// `git daemon` on 127.0.0.1.
@Suite struct RemoteRefusalTests {
    private let alice = GitIdentity(name: "Alice", email: "alice@example.com")

    private func seeded() throws -> GitFixture {
        let fixture = try GitFixture()
        try fixture.commit("seed", ["apps/a.yaml": "a: 1\n"])
        try fixture.push()
        return fixture
    }

    @Test func aDecliningHookIsRejectedWithItsWords() throws {
        let fixture = try seeded()
        let hook = fixture.origin + "/hooks/pre-receive"
        try Data("#!/bin/sh\necho 'main is protected: open a pull request'\nexit 1\n".utf8)
            .write(to: URL(fileURLWithPath: hook))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let daemon = try GitDaemon(root: fixture.root, receivePack: true)
        defer { daemon.stop() }
        let mirror = try GitMirror(
            remote: GitRemote(url: daemon.url("origin.git"), branch: "main"), directory: fixture.mirror)
        let result = mirror.write(GitWrite(changes: ["apps/a.yaml": Data("a: 2\n".utf8)], message: "m", author: alice))
        guard case .rejected(let reason) = result else {
            Issue.record("expected a rejection, got \(result)")
            return
        }
        #expect(reason.contains("declined"))
        #expect(reason.contains("main is protected"))
    }

    @Test func aServerThatRefusesPushesIsNoWriteAccess() throws {
        let fixture = try seeded()
        let daemon = try GitDaemon(root: fixture.root, receivePack: false)
        defer { daemon.stop() }
        let mirror = try GitMirror(
            remote: GitRemote(url: daemon.url("origin.git"), branch: "main"), directory: fixture.mirror)
        let result = mirror.write(GitWrite(changes: ["apps/a.yaml": Data("a: 2\n".utf8)], message: "m", author: alice))
        guard case .noWriteAccess(let reason) = result else {
            Issue.record("expected no write access, got \(result)")
            return
        }
        #expect(!reason.isEmpty)
    }
}
