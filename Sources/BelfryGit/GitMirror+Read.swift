extension GitMirror {
    /// The metadata of commit `id` (author, committer, message, subject); `.notFound` if the
    /// mirror does not have it.
    public func commit(_ id: CommitID) throws(GitError) -> GitCommit {
        try Commit(id, in: repository, for: .readCommit).info(id: id)
    }

    /// Every regular file under `prefix` in commit `id`'s tree, read from the object database
    /// (there is no work tree), sorted by path; paths are from the repository root.
    ///
    /// `prefix` is a directory (`config/`, `config`, `./config`), a single file, or "" for the
    /// whole tree. A missing prefix gives an empty list. Symbolic links and submodules are
    /// skipped; filtering by extension is the caller's.
    public func files(at id: CommitID, under prefix: String) throws(GitError) -> [GitFile] {
        let path = prefix.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        let tree = try Commit(id, in: repository, for: .readFiles).tree()
        return try tree.files(at: path, prefix: "").sorted { $0.path < $1.path }
    }
}
