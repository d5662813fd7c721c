import Foundation

/// The manifests of a directory as they were at a git revision, exported to a temporary
/// directory with `git archive` (for `validate --base REV` in a pull-request check; the
/// reconciler's git source uses libgit2).
public struct GitRevisionExport {
    /// The exported copy of the directory; delete `temporaryRoot` when done.
    public let source: DirectorySource
    public let temporaryRoot: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Exports `directory` (inside a git work tree) at `revision`.
    public static func export(directory: String, revision: String) throws(Failure) -> GitRevisionExport {
        let prefix: String
        let top: String
        do {
            prefix = try run(["git", "-C", directory, "rev-parse", "--show-prefix"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            top = try run(["git", "-C", directory, "rev-parse", "--show-toplevel"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw Failure(description: "--base \(revision): \(directory) is not inside a git repository (\(error))")
        }
        let temporary = NSTemporaryDirectory() + "belfry-base-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: temporary + "/tree", withIntermediateDirectories: true)
            let archive = temporary + "/base.tar"
            _ = try run(["git", "-C", top, "archive", "--format=tar", "-o", archive, revision + ":" + prefix])
            _ = try run(["tar", "-x", "-C", temporary + "/tree", "-f", archive])
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw Failure(description: "--base \(revision): cannot read that revision of \(directory): \(error)")
        }
        return GitRevisionExport(source: DirectorySource(path: temporary + "/tree"), temporaryRoot: temporary)
    }

    private struct CommandFailed: Error, CustomStringConvertible {
        let description: String
    }

    private static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: problem, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw CommandFailed(description: text.isEmpty ? "exit status \(process.terminationStatus)" : text)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
