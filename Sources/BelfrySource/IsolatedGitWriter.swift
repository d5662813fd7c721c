import BelfryGit
import Foundation

/// Writes to a git source through a child process (`belfry git-push`) that is killed at a
/// deadline or on `cancel()`, for the same reason as `IsolatedGitSource`: libgit2 has no network
/// timeout, and a silent remote must not hold an API request (or a shutdown) forever.
///
/// The change set reaches the child on stdin (a deleted temporary file, so no pipe can fill or
/// break), credentials through its environment; the result comes back as JSON on stdout.
///
/// ```swift
/// let result = writer.write(GitWrite(changes: ["apps/demo.yaml": Data(yaml.utf8)],
///                                    message: "Create app demo", author: user, expectedBase: tip))
/// ```
///
/// `@unchecked Sendable`: `child` and `cancelled` are guarded by `lock`. Writes should be
/// serialised by the caller (one at a time per work repository).
public final class IsolatedGitWriter: @unchecked Sendable {
    /// The remote and branch, for messages.
    public let description: String
    private let executable: String
    private let arguments: [String]
    private let environment: [String: String]
    private let timeout: Duration
    private let lock = NSLock()
    private var child: Process?
    private var cancelled = false

    /// - Parameters:
    ///   - executable: the `belfry` binary.
    ///   - arguments: `git-push …` arguments naming the URL, base branch and work repository.
    ///   - environment: the child's whole environment (credentials included).
    ///   - timeout: how long one write (fetch, commit, push) may take before the child is killed.
    public init(
        description: String, executable: String, arguments: [String], environment: [String: String],
        timeout: Duration
    ) {
        self.description = description
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
    }

    /// Runs one write; every outcome, a timeout included (`.failed` with kind `.unreachable`), is a value.
    public func write(_ request: GitWrite) -> GitWriteResult {
        let input: FileHandle
        do {
            input = try Self.temporaryInput(JSONEncoder().encode(request))
        } catch {
            return failure("cannot pass the change set to git-push: \(error)")
        }
        defer { try? input.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input
        let started: Bool = lock.withLock {
            guard !cancelled else { return false }
            child = process
            return true
        }
        guard started else { return failure("write cancelled: the server is shutting down") }
        defer { lock.withLock { child = nil } }
        do {
            try process.run()
        } catch {
            return failure("cannot start \(executable) git-push: \(error.localizedDescription)")
        }
        let output = Drain(stdout.fileHandleForReading)
        let errors = Drain(stderr.fileHandleForReading)
        let timedOut = TimeoutFlag()
        let pid = process.processIdentifier
        let (seconds, attoseconds) = timeout.components
        let killer = DispatchWorkItem {
            timedOut.set()
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(
            deadline: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)),
            execute: killer)
        process.waitUntilExit()
        killer.cancel()
        let message = String(decoding: errors.finish(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let data = output.finish()
        if lock.withLock({ cancelled }) { return failure("write cancelled: the server is shutting down") }
        if timedOut.isSet {
            return failure(
                "write to \(description) did not finish within \(timeout) (--git-timeout); the remote did not answer",
                kind: .unreachable)
        }
        guard process.terminationStatus == 0 else {
            return failure(message.isEmpty ? "git-push exited with status \(process.terminationStatus)" : message)
        }
        do {
            return try JSONDecoder().decode(GitWriteResult.self, from: data)
        } catch {
            return failure("git-push wrote an unreadable result: \(error)")
        }
    }

    /// Kills the write in progress, and refuses new ones.
    public func cancel() {
        let running: Process? = lock.withLock {
            cancelled = true
            return child
        }
        if let running, running.isRunning { kill(running.processIdentifier, SIGKILL) }
    }

    private func failure(_ message: String, kind: GitError.Kind = .other) -> GitWriteResult {
        .failed(GitError(.push, kind, message: message))
    }

    /// `data` in a temporary file (0600) that is already unlinked: only the handle reaches it.
    private static func temporaryInput(_ data: Data) throws -> FileHandle {
        let path = NSTemporaryDirectory() + "belfry-push-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { unlink(path) }
        return try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    }
}
