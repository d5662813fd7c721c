import BelfryGit
import BelfrySource
import Foundation
import Synchronization

/// A directory source is written in place (each file atomically, `DirectorySource.write`),
/// after checking that nothing changed since the revision was read.
struct DirectoryWriter: ManifestWriter {
    let directory: DirectorySource
    let source: any ConfigSource

    func write(_ changes: [String: String?], base: String, author: CommitAuthor, message: String) async
        -> WriteOutcome
    {
        let (source, directory) = (self.source, self.directory)
        return await Task.detached { () -> WriteOutcome in
            guard (try? source.fetch())?.revision == base else { return .baseMoved(remote: nil) }
            do {
                _ = try directory.write(changes.mapValues { $0.map { Data($0.utf8) } })
                return .written(commit: nil)
            } catch {
                return .refused("\(error)")
            }
        }.value
    }
}

/// A git source: a commit by the API's User, pushed without force to the served branch (or
/// `--write-branch`) by a `belfry git-push` child process killed at `--git-timeout`. One write
/// at a time (they share a work repository).
struct GitWriter: ManifestWriter {
    let writer: IsolatedGitWriter
    /// The manifests' directory inside the repository ("" for the root).
    let subpath: String
    let targetBranch: String?
    private let busy = Gate()

    init(writer: IsolatedGitWriter, subpath: String, targetBranch: String?) {
        self.writer = writer
        self.subpath = subpath
        self.targetBranch = targetBranch
    }

    func write(_ changes: [String: String?], base: String, author: CommitAuthor, message: String) async
        -> WriteOutcome
    {
        let prefix = subpath.isEmpty ? "" : subpath + "/"
        let request = GitWrite(
            changes: Dictionary(
                uniqueKeysWithValues: changes.map { (prefix + $0.key, $0.value.map { Data($0.utf8) }) }),
            message: message, author: GitIdentity(name: author.name, email: author.email),
            targetBranch: targetBranch,
            // With a write branch the served tip is not what the commit builds on.
            expectedBase: targetBranch == nil ? CommitID(hex: base) : nil)
        let writer = self.writer
        let result = await busy.run { writer.write(request) }
        switch result {
        case .committed(let id, _), .unchanged(let id): return .written(commit: id.hex)
        case .baseMoved: return .baseMoved(remote: nil)
        // A concurrent push won the race (or a hook declined): read again and retry once.
        case .rejected(let reason): return .baseMoved(remote: reason)
        case .noWriteAccess(let reason): return .refused(reason)
        case .failed(let error): return .failed("\(error)")
        }
    }

    /// Runs blocking work off the cooperative pool, one at a time.
    final class Gate: Sendable {
        private let queue = DispatchQueue(label: "belfry.git-write")

        func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
            await withCheckedContinuation { continuation in
                queue.async { continuation.resume(returning: body()) }
            }
        }
    }
}
