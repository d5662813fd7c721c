import Foundation

extension GitMirror {
    /// Fetches the branch (`+refs/heads/B:refs/remotes/origin/B`, force-updated) and reports the
    /// new head and how it relates to the previous one.
    ///
    /// - Parameter previous: the head to compare with, e.g. the last applied revision from the
    ///   store; nil compares with what this mirror fetched last.
    /// - Throws: `.unreachable` (retry with back-off), `.auth`, `.notFound(branch)` when the
    ///   remote has no such branch (the last fetched head stays readable), `.corrupt`.
    public func fetch(since previous: CommitID? = nil) throws(GitError) -> FetchResult {
        let before: CommitID?
        if let previous { before = previous } else { before = try head() }
        let origin = try Remote(origin: remote.url, branch: remote.branch, in: repository)
        if location.transport == .local, !FileManager.default.fileExists(atPath: remote.url) {
            throw GitError(.fetch, .unreachable, message: "local repository \(remote.url) does not exist")
        }
        let context = CallbackContext(credentials: remote.credentials, location: location)
        let refspec = "+refs/heads/\(remote.branch):\(remote.trackingReference)"
        let code = origin.fetch([refspec], context: context)
        if code < 0 {
            if let refusal = context.refusal { throw GitError(.fetch, .auth, message: refusal, code: code) }
            throw GitError.libgit2(.fetch, code: code)
        }
        guard let head = origin.advertised("refs/heads/" + remote.branch) else {
            throw GitError(
                .fetch, .notFound(remote.branch), message: "branch \(remote.branch) does not exist in \(remote.url)")
        }
        guard repository.contains(head) else {
            throw GitError(.fetch, .corrupt, message: "commit \(head) was advertised but not received")
        }
        return FetchResult(head: head, previous: before, change: try change(from: before, to: head))
    }

    /// The branch head of the last successful fetch, without network access; nil before the first.
    public func head() throws(GitError) -> CommitID? {
        try repository.referenceTarget(remote.trackingReference)
    }

    /// A previous head absent after a full fetch cannot be an ancestor of the new one (a fetch
    /// brings every ancestor), so absence means rewritten.
    private func change(from before: CommitID?, to head: CommitID) throws(GitError) -> HeadChange {
        guard let before else { return .initial }
        if before == head { return .unchanged }
        guard repository.contains(before) else { return .rewritten }
        return try repository.isDescendant(head, of: before) ? .fastForward : .rewritten
    }
}
