import Foundation
import Testing

@testable import BelfryGit

@Suite struct HTTPAuthTests {
    @Test func rejectedTokenIsTriedOnceAndReportedAsAuth() throws {
        let fixture = try GitFixture()
        let server = HTTPAuthStub()
        defer { server.stop() }
        let remote = GitRemote(
            url: "http://127.0.0.1:\(server.port)/acme/config.git", branch: "main", credentials: .token("s3cret"))
        do {
            _ = try GitMirror(remote: remote, directory: fixture.mirror).fetch()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .auth)
            #expect(error.message.contains("rejected"))
            #expect(!error.description.contains("s3cret"))
        }
        let basic = "Basic " + Data("x-access-token:s3cret".utf8).base64EncodedString()
        #expect(server.authorizations == [basic])
    }

    @Test func noCredentialsAgainstAnAuthenticatingServerIsAuth() throws {
        let fixture = try GitFixture()
        let server = HTTPAuthStub()
        defer { server.stop() }
        let remote = GitRemote(url: "http://127.0.0.1:\(server.port)/acme/config.git", branch: "main")
        do {
            _ = try GitMirror(remote: remote, directory: fixture.mirror).fetch()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .auth)
        }
        #expect(server.authorizations.isEmpty)
    }
}
