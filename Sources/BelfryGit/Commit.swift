import CLibGit2
import Foundation

/// A looked-up `git_commit`, freed in deinit; keeps its repository alive.
final class Commit {
    /// The libgit2 handle; valid for the lifetime of this object.
    let pointer: OpaquePointer
    /// The repository the commit was read from.
    let repository: Repository

    /// Reads commit `id`; `.notFound(short id)` when the object is missing or not a commit.
    init(_ id: CommitID, in repository: Repository, for operation: GitError.Operation) throws(GitError) {
        var oid = id.oid
        var out: OpaquePointer?
        let code = git_commit_lookup(&out, repository.pointer, &oid)
        guard code >= 0, let out else {
            let missing = code == GIT_ENOTFOUND.rawValue || code == GIT_EINVALIDSPEC.rawValue
            throw GitError.libgit2(operation, code: code, kind: missing ? .notFound("commit \(id.short)") : nil)
        }
        self.pointer = out
        self.repository = repository
    }

    deinit { git_commit_free(pointer) }

    /// The commit's metadata as a value.
    func info(id: CommitID) -> GitCommit {
        GitCommit(
            id: id,
            author: Self.signature(git_commit_author(pointer)),
            committer: Self.signature(git_commit_committer(pointer)),
            message: git_commit_message(pointer).map { String(cString: $0) } ?? "",
            subject: git_commit_summary(pointer).map { String(cString: $0) } ?? ""
        )
    }

    /// The commit's root tree.
    func tree() throws(GitError) -> Tree {
        var out: OpaquePointer?
        let code = git_commit_tree(&out, pointer)
        guard code >= 0, let out else { throw GitError.libgit2(.readFiles, code: code) }
        return Tree(out, repository: repository)
    }

    private static func signature(_ signature: UnsafePointer<git_signature>?) -> GitSignature {
        guard let signature = signature?.pointee else {
            return GitSignature(name: "", email: "", date: Date(timeIntervalSince1970: 0), utcOffsetMinutes: 0)
        }
        return GitSignature(
            name: signature.name.map { String(cString: $0) } ?? "",
            email: signature.email.map { String(cString: $0) } ?? "",
            date: Date(timeIntervalSince1970: TimeInterval(signature.when.time)),
            utcOffsetMinutes: Int(signature.when.offset)
        )
    }
}
