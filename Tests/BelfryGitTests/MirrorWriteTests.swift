import Foundation
import Testing

@testable import BelfryGit

@Suite struct MirrorWriteTests {
    private let alice = GitIdentity(name: "Alice Admin", email: "alice@example.com")

    /// A fixture whose `main` holds a few manifests, pushed to `origin.git`.
    private func seeded() throws -> (GitFixture, CommitID) {
        let fixture = try GitFixture()
        let seed = try fixture.commit(
            "seed",
            [
                "apps/a.yaml": "a: 1\n", "apps/b.yaml": "b: 1\n", "users.yaml": "users\n",
                "deep/x/only.yaml": "x\n",
            ])
        try fixture.push()
        return (fixture, try #require(CommitID(hex: seed)))
    }

    private func mirror(_ fixture: GitFixture, branch: String = "main") throws -> GitMirror {
        try GitMirror(remote: GitRemote(url: fixture.originURL, branch: branch), directory: fixture.mirror)
    }

    /// Files on a branch of origin, sorted.
    private func files(_ fixture: GitFixture, _ branch: String) throws -> [String] {
        try fixture.git("ls-tree", "-r", "--name-only", branch, in: fixture.origin).split(separator: "\n").map(
            String.init)
    }

    @Test func commitLandsOnTheRemoteWithAuthorMessageAndTree() throws {
        let (fixture, seed) = try seeded()
        let write = GitWrite(
            changes: [
                "apps/a.yaml": Data("a: 2\n".utf8), "apps/b.yaml": nil, "new/nested/c.yaml": Data("c: 1\n".utf8),
                "./deep//x/only.yaml": nil,
            ],
            message: "Change a, remove b, add c", author: alice, expectedBase: seed)
        let result = try mirror(fixture).write(write)
        guard case .committed(let id, let branch) = result else {
            Issue.record("expected a commit, got \(result)")
            return
        }
        #expect(branch == "main")
        #expect(try fixture.git("rev-parse", "main", in: fixture.origin) == id.hex)
        #expect(try fixture.git("rev-parse", "main^", in: fixture.origin) == seed.hex)
        #expect(try files(fixture, "main") == ["apps/a.yaml", "new/nested/c.yaml", "users.yaml"])
        #expect(try fixture.git("show", "main:apps/a.yaml", in: fixture.origin) == "a: 2")
        let log = try fixture.git("log", "-1", "--format=%an|%ae|%cn|%ce|%B", "main", in: fixture.origin)
        #expect(log == "Alice Admin|alice@example.com|Belfry|belfry@localhost|Change a, remove b, add c")
        #expect(try fixture.git("ls-tree", "main", "apps/a.yaml", in: fixture.origin).hasPrefix("100644 blob"))
        // The mirror's tracking reference follows the push.
        #expect(try mirror(fixture).head() == id)
    }

    @Test func writeBranchIsCreatedFromTheBaseTipAndThenBuiltOn() throws {
        let (fixture, seed) = try seeded()
        let first = try mirror(fixture).write(
            GitWrite(
                changes: ["apps/a.yaml": Data("a: 3\n".utf8)], message: "first", author: alice,
                targetBranch: "belfry/changes", expectedBase: seed))
        guard case .committed(let one, "belfry/changes") = first else {
            Issue.record("expected a commit on the write branch, got \(first)")
            return
        }
        #expect(try fixture.git("rev-parse", "main", in: fixture.origin) == seed.hex)
        #expect(try fixture.git("rev-parse", "belfry/changes^", in: fixture.origin) == seed.hex)
        let second = try mirror(fixture).write(
            GitWrite(
                changes: ["users.yaml": Data("users 2\n".utf8)], message: "second", author: alice,
                targetBranch: "belfry/changes", expectedBase: one))
        guard case .committed(let two, _) = second else {
            Issue.record("expected a second commit, got \(second)")
            return
        }
        #expect(try fixture.git("rev-parse", "belfry/changes^", in: fixture.origin) == one.hex)
        #expect(try fixture.git("rev-parse", "belfry/changes", in: fixture.origin) == two.hex)
        #expect(try fixture.git("show", "belfry/changes:apps/a.yaml", in: fixture.origin) == "a: 3")
        #expect(try fixture.git("rev-parse", "main", in: fixture.origin) == seed.hex)
    }

    @Test func aMovedTipIsReportedInsteadOfCommitted() throws {
        let (fixture, seed) = try seeded()
        let moved = try fixture.commit("someone else", ["apps/a.yaml": "a: 9\n"])
        try fixture.push()
        let result = try mirror(fixture).write(
            GitWrite(changes: ["apps/a.yaml": Data("a: 2\n".utf8)], message: "m", author: alice, expectedBase: seed))
        #expect(result == .baseMoved(try #require(CommitID(hex: moved))))
        #expect(try fixture.git("rev-parse", "main", in: fixture.origin) == moved)
    }

    @Test func aPushBetweenCommitAndPushIsRejected() throws {
        let (fixture, _) = try seeded()
        var raced = ""
        let result = try mirror(fixture).write(
            GitWrite(changes: ["apps/a.yaml": Data("a: 2\n".utf8)], message: "m", author: alice),
            beforePush: {
                raced = (try? fixture.commit("race", ["apps/b.yaml": "b: 5\n"])) ?? ""
                try? fixture.push()
            })
        guard case .rejected(let reason) = result else {
            Issue.record("expected a rejection, got \(result)")
            return
        }
        #expect(reason.contains("non-fast-forward"))
        #expect(try fixture.git("rev-parse", "main", in: fixture.origin) == raced)
    }

    @Test func identicalContentsAreUnchanged() throws {
        let (fixture, seed) = try seeded()
        let result = try mirror(fixture).write(
            GitWrite(changes: ["apps/a.yaml": Data("a: 1\n".utf8), "missing.yaml": nil], message: "m", author: alice))
        #expect(result == .unchanged(seed))
    }

    @Test(arguments: ["../escape.yaml", "/abs.yaml", ".git/config", "apps/a.yaml/under-a-file", "apps", ""])
    func badPathsFailWithoutPushing(path: String) throws {
        let (fixture, seed) = try seeded()
        let result = try mirror(fixture).write(
            GitWrite(changes: [path: Data("x\n".utf8)], message: "m", author: alice))
        guard case .failed(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.operation == .commit && error.kind == .other)
        #expect(try fixture.git("rev-parse", "main", in: fixture.origin) == seed.hex)
    }

    @Test func missingBaseBranchFails() throws {
        let (fixture, _) = try seeded()
        let result = try mirror(fixture, branch: "nope").write(
            GitWrite(changes: ["a.yaml": Data()], message: "m", author: alice))
        #expect(
            result
                == .failed(
                    GitError(.fetch, .notFound("nope"), message: "branch nope does not exist in \(fixture.originURL)")))
    }

    @Test func resultsRoundTripAsJSON() throws {
        let id = try #require(CommitID(hex: String(repeating: "ab", count: 20)))
        let results: [GitWriteResult] = [
            .committed(id, branch: "main"), .unchanged(id), .baseMoved(id), .rejected("hook"),
            .noWriteAccess("403"), .failed(GitError(.push, .notFound("x"), message: "m", code: -3)),
        ]
        for result in results {
            let data = try JSONEncoder().encode(result)
            #expect(try JSONDecoder().decode(GitWriteResult.self, from: data) == result)
        }
        let write = GitWrite(changes: ["a": Data("x".utf8), "b": nil], message: "m", author: alice)
        #expect(try JSONDecoder().decode(GitWrite.self, from: JSONEncoder().encode(write)) == write)
    }
}
