import BelfryGit
import Foundation
import Testing

@testable import BelfrySource

#if canImport(Glibc)
    import Glibc
#endif

/// `IsolatedGitWriter` running the real `belfry git-push` child (built next to the test bundle by
/// `swift build --build-tests`); skipped when the binary is absent.
@Suite struct GitWriterProcessTests {
    /// `.build/<triple>/debug/belfry`, beside `belfryPackageTests.xctest`.
    private static let belfry: String? = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let path = bundle.appendingPathComponent("belfry").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    private func writer(url: String, repository: String, timeout: Duration) throws -> IsolatedGitWriter {
        let belfry = try #require(Self.belfry, "build the belfry executable first")
        return IsolatedGitWriter(
            description: url, executable: belfry,
            arguments: ["git-push", "--url", url, "--branch", "main", "--repository", repository],
            environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], timeout: timeout)
    }

    private func git(_ arguments: String..., in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory, "-c", "user.name=T", "-c", "user.email=t@example.com"] + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory, "GIT_CONFIG_NOSYSTEM": "1"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: belfry != nil)) func theChildCommitsAndPushes() throws {
        let root = NSTemporaryDirectory() + "belfry-push-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/work", withIntermediateDirectories: true)
        _ = try git("init", "-q", "--bare", "-b", "main", root + "/origin.git", in: root)
        _ = try git("init", "-q", "-b", "main", in: root + "/work")
        try Data("a: 1\n".utf8).write(to: URL(fileURLWithPath: root + "/work/a.yaml"))
        _ = try git("add", "-A", in: root + "/work")
        _ = try git("commit", "-q", "-m", "seed", in: root + "/work")
        _ = try git("push", "-q", root + "/origin.git", "main", in: root + "/work")
        let writer = try writer(url: "file://\(root)/origin.git", repository: root + "/write", timeout: .seconds(60))
        let author = GitIdentity(name: "Alice", email: "alice@example.com")
        let result = writer.write(
            GitWrite(changes: ["apps/b.yaml": Data("b: 1\n".utf8)], message: "Add b", author: author))
        guard case .committed(let id, "main") = result else {
            Issue.record("expected a commit, got \(result)")
            return
        }
        #expect(try git("rev-parse", "main", in: root + "/origin.git") == id.hex)
        #expect(try git("log", "-1", "--format=%an %s", "main", in: root + "/origin.git") == "Alice Add b")
    }

    /// A listener that completes TCP handshakes (the kernel's backlog) and never reads or answers.
    @Test(.enabled(if: belfry != nil)) func aSilentRemoteIsKilledAtTheDeadline() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(listener, $0, length)
                _ = listen(listener, 8)
                _ = getsockname(listener, $0, &length)
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let root = NSTemporaryDirectory() + "belfry-push-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let writer = try writer(
            url: "http://127.0.0.1:\(port)/config.git", repository: root + "/write", timeout: .seconds(2))
        let started = ContinuousClock.now
        let result = writer.write(
            GitWrite(changes: ["a.yaml": Data()], message: "m", author: GitIdentity(name: "A", email: "a@b")))
        let elapsed = ContinuousClock.now - started
        guard case .failed(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.kind == .unreachable)
        #expect(error.message.contains("did not finish within"))
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(30))
    }
}
