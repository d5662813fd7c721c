import Foundation
import Testing

@testable import BelfryGit

@Suite struct MirrorFetchTests {
    @Test func clonesFromLocalPathIntoBareRepository() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first", ["config/a.yaml": "a: 1\n"])
        let mirror = try GitMirror(remote: GitRemote(url: fixture.work, branch: "main"), directory: fixture.mirror)
        #expect(try mirror.head() == nil)
        let result = try mirror.fetch()
        #expect(result == FetchResult(head: CommitID(hex: first)!, previous: nil, change: .initial))
        #expect(try mirror.head() == CommitID(hex: first))
        #expect(FileManager.default.fileExists(atPath: fixture.mirror + "/objects"))
        #expect(!FileManager.default.fileExists(atPath: fixture.mirror + "/.git"))
        #expect(try fixture.git("rev-parse", "--is-bare-repository", in: fixture.mirror) == "true")
    }

    @Test func clonesFromFileURL() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first", ["config/a.yaml": "a: 1\n"])
        try fixture.push()
        let mirror = try GitMirror(remote: GitRemote(url: fixture.originURL, branch: "main"), directory: fixture.mirror)
        #expect(try mirror.fetch().head.hex == first)
    }

    @Test func newCommitIsAFastForwardAndTheMirrorRemembersAcrossReopen() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first", ["config/a.yaml": "a: 1\n"])
        try fixture.push()
        let remote = GitRemote(url: fixture.originURL, branch: "main")
        _ = try GitMirror(remote: remote, directory: fixture.mirror).fetch()
        let second = try fixture.commit("second", ["config/a.yaml": "a: 2\n"])
        try fixture.push()
        let reopened = try GitMirror(remote: remote, directory: fixture.mirror)
        let result = try reopened.fetch()
        #expect(
            result == FetchResult(head: CommitID(hex: second)!, previous: CommitID(hex: first), change: .fastForward))
        #expect(try reopened.fetch().change == .unchanged)
    }

    @Test func forcePushIsReportedAsRewritten() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first", ["config/a.yaml": "a: 1\n"])
        let second = try fixture.commit("second", ["config/a.yaml": "a: 2\n"])
        try fixture.push()
        let mirror = try GitMirror(remote: GitRemote(url: fixture.originURL, branch: "main"), directory: fixture.mirror)
        #expect(try mirror.fetch().head.hex == second)
        try fixture.git("reset", "-q", "--hard", first)
        let replacement = try fixture.commit("replacement", ["config/a.yaml": "a: 3\n"])
        try fixture.push(force: true)
        let result = try mirror.fetch()
        #expect(result.head.hex == replacement)
        #expect(result.previous?.hex == second)
        #expect(result.change == .rewritten)
        #expect(try mirror.head()?.hex == replacement)
    }

    @Test func comparesWithAnExplicitPreviousHead() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first")
        try fixture.commit("second")
        let mirror = try GitMirror(remote: GitRemote(url: fixture.work, branch: "main"), directory: fixture.mirror)
        #expect(try mirror.fetch(since: CommitID(hex: first)).change == .fastForward)
        let unknown = CommitID(hex: String(repeating: "ab", count: 20))!
        #expect(try mirror.fetch(since: unknown).change == .rewritten)
    }

    @Test func followsAChangedURLInAnExistingMirror() throws {
        let fixture = try GitFixture()
        let first = try fixture.commit("first")
        try fixture.push()
        _ = try GitMirror(remote: GitRemote(url: fixture.work, branch: "main"), directory: fixture.mirror).fetch()
        let mirror = try GitMirror(remote: GitRemote(url: fixture.originURL, branch: "main"), directory: fixture.mirror)
        #expect(try fixture.git("config", "remote.origin.url", in: fixture.mirror) == fixture.originURL)
        #expect(
            try mirror.fetch()
                == FetchResult(head: CommitID(hex: first)!, previous: CommitID(hex: first), change: .unchanged))
    }
}
