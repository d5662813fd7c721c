import Foundation

/// A git source fetched by a child process (`belfry git-fetch`) that is killed at a deadline or
/// on `cancel()`. libgit2 1.5 has no network timeout of its own: a remote that accepts the
/// connection and never answers would block a fetch, the reconciler and a graceful shutdown
/// forever. A child process really ends; a thread would not.
///
/// The child writes the revision as JSON on stdout and an error line on stderr. Credentials reach
/// it through its environment (readable only by this user), never its arguments.
///
/// `@unchecked Sendable`: `child` and `lastRevision` are guarded by `lock`.
public final class IsolatedGitSource: ConfigSource, @unchecked Sendable {
    public let description: String
    private let executable: String
    private let arguments: [String]
    private let environment: [String: String]
    private let timeout: Duration
    private let lock = NSLock()
    private var child: Process?
    private var cancelled = false
    private var lastRevision: String?

    /// - Parameters:
    ///   - executable: the `belfry` binary.
    ///   - arguments: `git-fetch …` arguments naming the URL, branch, path and mirror.
    ///   - environment: the child's whole environment (credentials included).
    ///   - timeout: how long one fetch may take before the child is killed.
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

    public func fetch() throws(SourceError) -> SourceRevision {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let since: String? = lock.withLock { lastRevision }
        process.arguments = arguments + (since.map { ["--since", $0] } ?? [])
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let started: Bool = lock.withLock {
            guard !cancelled else { return false }
            child = process
            return true
        }
        guard started else { throw .git("fetch cancelled: the server is shutting down") }
        defer { lock.withLock { child = nil } }
        do {
            try process.run()
        } catch {
            throw .git("cannot start \(executable) git-fetch: \(error.localizedDescription)")
        }
        // Pipes are drained while the child runs (a large revision would fill them and block it).
        let output = Drain(stdout.fileHandleForReading)
        let errors = Drain(stderr.fileHandleForReading)
        // The deadline kills the child; waiting for its exit then returns.
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
        if lock.withLock({ cancelled }) { throw .git("fetch cancelled: the server is shutting down") }
        if timedOut.isSet {
            throw .git(
                "fetch of \(description) did not finish within \(timeout) (--git-timeout); the remote did not answer")
        }
        guard process.terminationStatus == 0 else {
            throw .git(message.isEmpty ? "git-fetch exited with status \(process.terminationStatus)" : message)
        }
        do {
            let revision = try JSONDecoder().decode(SourceRevision.self, from: data)
            lock.withLock { lastRevision = revision.revision }
            return revision
        } catch {
            throw .git("git-fetch wrote an unreadable revision: \(error)")
        }
    }

    /// Kills the fetch in progress, and refuses new ones.
    public func cancel() {
        let running: Process? = lock.withLock {
            cancelled = true
            return child
        }
        if let running, running.isRunning { kill(running.processIdentifier, SIGKILL) }
    }
}

/// Reads a pipe to its end on a thread of its own.
final class Drain: @unchecked Sendable {
    // @unchecked Sendable: `data` is written by the reading thread before `done` is signalled
    // and read only after waiting on it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func finish() -> Data {
        done.wait()
        return data
    }
}

/// Set once by the deadline that killed the child.
final class TimeoutFlag: @unchecked Sendable {
    // @unchecked Sendable: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
