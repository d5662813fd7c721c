import CLibGit2
import Foundation

extension GitMirror {
    /// Commits `write.changes` on top of the branch tip and pushes it, never forced: the mirror's
    /// branch is the base; `write.targetBranch` (when given) is created from the base tip or,
    /// if it exists, built on its own tip. Blocks for a fetch and a push (run it in the
    /// `belfry git-push` child process, which a deadline can kill).
    ///
    /// Every outcome is a value: `.committed`, `.unchanged`, `.baseMoved` (the tip is not
    /// `expectedBase`), `.rejected` (non-fast-forward or a hook), `.noWriteAccess`, `.failed`.
    public func write(_ request: GitWrite) -> GitWriteResult {
        write(request, beforePush: {})
    }

    /// `write(_:)` with a hook run between the commit and the push (tests make a race there).
    func write(_ request: GitWrite, beforePush: () -> Void) -> GitWriteResult {
        do {
            return try attempt(request, beforePush: beforePush)
        } catch {
            return .failed(error)
        }
    }

    private func attempt(_ write: GitWrite, beforePush: () -> Void) throws(GitError) -> GitWriteResult {
        let target = write.targetBranch ?? remote.branch
        try Self.checkBranch(target)
        let changes = try Self.normalized(write.changes)
        let origin = try Remote(origin: remote.url, branch: remote.branch, in: repository)
        let (baseTip, targetTip) = try fetchTips(origin, target: target)
        let parent = targetTip ?? baseTip
        if let expected = write.expectedBase, expected != parent { return .baseMoved(parent) }

        let parentCommit = try Commit(parent, in: repository, for: .commit)
        let parentTree = try parentCommit.tree()
        let index = try Index(reading: parentTree)
        for (path, contents) in changes.sorted(by: { $0.key < $1.key }) {
            if let contents { try index.set(path, contents: contents) } else { _ = try index.remove(path) }
        }
        var treeID = try index.writeTree()
        guard git_oid_equal(&treeID, git_tree_id(parentTree.pointer)) == 0 else { return .unchanged(parent) }
        let commit = try makeCommit(tree: treeID, parent: parentCommit, write: write)

        beforePush()
        let context = CallbackContext(credentials: remote.credentials, location: location)
        // libgit2 pushes references, not ids: a local branch (never otherwise used in the bare
        // mirror, which keeps the remote's under refs/remotes) carries the commit for the push.
        let local = "refs/heads/" + target
        try repository.setReference(local, to: commit, message: "belfry: write")
        let code = origin.push("\(local):\(local)", context: context)
        // Read libgit2's thread-local error before any other call replaces it.
        let result = Self.pushResult(code: code, context: context, commit: commit, target: target)
        repository.deleteReference(local)
        return result
    }

    /// Fetches the base branch (and the target when it differs) into the mirror; the base tip,
    /// and the target's tip if the remote has that branch.
    private func fetchTips(_ origin: Remote, target: String) throws(GitError) -> (CommitID, CommitID?) {
        if location.transport == .local, !FileManager.default.fileExists(atPath: remote.url) {
            throw GitError(.fetch, .unreachable, message: "local repository \(remote.url) does not exist")
        }
        let branches = target == remote.branch ? [remote.branch] : [remote.branch, target]
        let context = CallbackContext(credentials: remote.credentials, location: location)
        let code = origin.fetch(branches.map { "+refs/heads/\($0):refs/remotes/origin/\($0)" }, context: context)
        if code < 0 {
            if let refusal = context.refusal { throw GitError(.fetch, .auth, message: refusal, code: code) }
            throw GitError.libgit2(.fetch, code: code)
        }
        guard let base = origin.advertised("refs/heads/" + remote.branch) else {
            throw GitError(
                .fetch, .notFound(remote.branch), message: "branch \(remote.branch) does not exist in \(remote.url)")
        }
        let targetTip = target == remote.branch ? base : origin.advertised("refs/heads/" + target)
        for tip in [base, targetTip].compactMap({ $0 }) where !repository.contains(tip) {
            throw GitError(.fetch, .corrupt, message: "commit \(tip) was advertised but not received")
        }
        return (base, targetTip)
    }

    /// Writes the commit object (no reference moves until the push succeeds).
    private func makeCommit(tree: git_oid, parent: Commit, write: GitWrite) throws(GitError) -> CommitID {
        var treeID = tree
        var treeOut: OpaquePointer?
        try GitError.check(git_tree_lookup(&treeOut, repository.pointer, &treeID), .commit)
        guard let treeOut else { throw GitError(.commit, .other, message: "the new tree cannot be read") }
        defer { git_tree_free(treeOut) }
        let author = try Signature(write.author)
        let committer = try Signature(write.committer)
        let message = write.message.hasSuffix("\n") ? write.message : write.message + "\n"
        var id = git_oid()
        var parents: [OpaquePointer?] = [parent.pointer]
        let code = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(
                &id, repository.pointer, nil, author.pointer, committer.pointer, nil, message, treeOut, 1,
                buffer.baseAddress)
        }
        try GitError.check(code, .commit)
        return CommitID(id)
    }

    /// The branch name is one git accepts.
    private static func checkBranch(_ branch: String) throws(GitError) {
        var valid: Int32 = 0
        guard !branch.isEmpty, git_reference_name_is_valid(&valid, "refs/heads/" + branch) >= 0, valid == 1 else {
            throw GitError(.commit, .other, message: "invalid branch name '\(branch)'")
        }
    }

    /// The change set with paths in canonical form (`./a//b` → `a/b`); paths that leave the
    /// repository, touch `.git`, or name nothing are refused.
    private static func normalized(_ changes: [String: Data?]) throws(GitError) -> [String: Data?] {
        var result: [String: Data?] = [:]
        for (path, contents) in changes {
            let parts = path.split(separator: "/").filter { $0 != "." }
            let refused = parts.isEmpty || path.hasPrefix("/") || path.contains("\u{0}")
            if refused || parts.contains(where: { $0 == ".." || $0.lowercased() == ".git" }) {
                throw GitError(.commit, .other, message: "invalid path '\(path)' in the change set")
            }
            let canonical = parts.joined(separator: "/")
            guard result.updateValue(contents, forKey: canonical) == nil else {
                throw GitError(.commit, .other, message: "path '\(canonical)' appears twice in the change set")
            }
        }
        return result
    }

    /// The push as a value: a reference the remote refused or a fast-forward refused locally is `.rejected`, refused
    /// credentials or a permission error `.noWriteAccess`, anything else `.failed`.
    private static func pushResult(code: Int32, context: CallbackContext, commit: CommitID, target: String)
        -> GitWriteResult
    {
        if let rejection = context.rejections.first {
            return .rejected(reason(rejection.reason, remoteSaid: context.remoteMessages))
        }
        guard code < 0 else { return .committed(commit, branch: target) }
        let error = GitError.libgit2(.push, code: code)
        if let refusal = context.refusal { return .noWriteAccess(refusal) }
        if code == GIT_ENONFASTFORWARD.rawValue {
            return .rejected(reason("non-fast-forward: \(error.message)", remoteSaid: context.remoteMessages))
        }
        if code == GIT_EAUTH.rawValue || code == GIT_ECERTIFICATE.rawValue || isPermission(error.message) {
            return .noWriteAccess(reason(error.message, remoteSaid: context.remoteMessages))
        }
        return .failed(error)
    }

    /// Messages of servers and file systems that mean "you may not write here".
    static func isPermission(_ message: String) -> Bool {
        let text = message.lowercased()
        let markers = [
            "permission denied", "403", "forbidden", "read-only", "read only", "not permitted", "access denied",
            "service not enabled", "write access",
        ]
        return markers.contains { text.contains($0) }
    }

    /// The reason with what the remote printed (`remote:` lines of a hook), when it said anything.
    private static func reason(_ reason: String, remoteSaid messages: String) -> String {
        let said = messages.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
        return said.isEmpty ? reason : "\(reason) (remote: \(said))"
    }
}

/// An owned `git_signature` stamped now, freed in deinit.
private final class Signature {
    let pointer: UnsafeMutablePointer<git_signature>

    init(_ identity: GitIdentity) throws(GitError) {
        var out: UnsafeMutablePointer<git_signature>?
        try GitError.check(git_signature_now(&out, identity.name, identity.email), .commit)
        guard let out else { throw GitError(.commit, .other, message: "invalid identity \(identity)") }
        pointer = out
    }

    deinit { git_signature_free(pointer) }
}
