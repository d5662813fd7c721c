import Foundation

/// Real git repositories in a fresh temporary directory, made with the `git` CLI and removed
/// when the fixture goes away: `work` (a repository with a work tree, branch `main`) and
/// `origin.git` (a bare repository `work` pushes to).
final class GitFixture {
    /// The temporary directory holding everything.
    let root: String
    /// The work-tree repository commits are made in.
    var work: String { root + "/work" }
    /// The bare repository `work` pushes to.
    var origin: String { root + "/origin.git" }
    /// `origin` as a `file://` URL.
    var originURL: String { "file://" + origin }
    /// A directory for a mirror (not created).
    var mirror: String { root + "/data/git/mirror" }

    /// A git command that exited non-zero, with its standard error.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates `work` with no commits and an empty bare `origin.git` as its remote.
    init() throws {
        root = NSTemporaryDirectory() + "belfry-git-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
        try git("init", "-q", "--bare", "-b", "main", origin, in: root)
        try git("remote", "add", "origin", origin)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `files` (path → text) into the work tree, commits them, and returns the new id.
    @discardableResult
    func commit(_ message: String, _ files: [String: String] = [:], author: String = "Alice <alice@example.com>")
        throws -> String
    {
        for (path, text) in files {
            let url = URL(fileURLWithPath: work + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "--author", author, "-m", message)
        return try git("rev-parse", "HEAD")
    }

    /// Pushes `main` to `origin.git` (forced when asked).
    func push(force: Bool = false) throws {
        try git(force ? ["push", "-q", "--force", "origin", "main"] : ["push", "-q", "origin", "main"])
    }

    /// Runs git in `directory` (default `work`) and returns its trimmed standard output.
    @discardableResult
    func git(_ arguments: String..., in directory: String? = nil) throws -> String {
        try git(arguments, in: directory)
    }

    /// Runs git with an argument array; see the variadic form.
    @discardableResult
    func git(_ arguments: [String], in directory: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let identity = ["-c", "user.name=Committer Carol", "-c", "user.email=carol@example.com"]
        process.arguments = ["git", "-C", directory ?? work] + identity + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = root
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_DATE"] = "2024-05-06T07:08:09+0200"
        environment["GIT_COMMITTER_DATE"] = "2024-05-06T08:00:00+0200"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "git \(arguments.joined(separator: " ")): " + String(decoding: problem, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
