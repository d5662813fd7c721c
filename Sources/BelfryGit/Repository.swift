import CLibGit2

/// An open `git_repository`, freed when the last Swift reference goes. Objects looked up from
/// it keep a strong reference back, because libgit2 objects must not outlive their repository.
final class Repository {
    /// The libgit2 handle; valid for the lifetime of this object.
    let pointer: OpaquePointer

    private init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { git_repository_free(pointer) }

    /// Opens the bare repository at `path` (no discovery, no work tree).
    static func openBare(_ path: String) throws(GitError) -> Repository {
        _ = LibGit2.ready
        var out: OpaquePointer?
        let code = git_repository_open_bare(&out, path)
        guard code >= 0, let out else {
            throw GitError.libgit2(.open, code: code, kind: code == GIT_ENOTFOUND.rawValue ? .corrupt : nil)
        }
        return Repository(out)
    }

    /// Creates an empty bare repository at `path`, making missing parent directories.
    static func initBare(_ path: String) throws(GitError) -> Repository {
        _ = LibGit2.ready
        var out: OpaquePointer?
        let code = git_repository_init(&out, path, 1)
        guard code >= 0, let out else { throw GitError.libgit2(.open, code: code) }
        return Repository(out)
    }

    /// The object id a reference (e.g. `refs/remotes/origin/main`) points at, nil if it is absent.
    func referenceTarget(_ name: String) throws(GitError) -> CommitID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try GitError.check(code, .resolve)
        return CommitID(oid)
    }

    /// Whether the object `id` is in the object database (without reading it).
    func contains(_ id: CommitID) -> Bool {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, pointer) >= 0, let odb else { return false }
        defer { git_odb_free(odb) }
        var oid = id.oid
        return git_odb_exists(odb, &oid) == 1
    }

    /// Whether `descendant` has `ancestor` in its history (libgit2: a commit is not its own
    /// descendant, so equal ids answer false).
    func isDescendant(_ descendant: CommitID, of ancestor: CommitID) throws(GitError) -> Bool {
        var new = descendant.oid
        var old = ancestor.oid
        return try GitError.check(git_graph_descendant_of(pointer, &new, &old), .resolve) == 1
    }

    /// Points reference `name` at `id`, creating or moving it.
    func setReference(_ name: String, to id: CommitID, message: String) throws(GitError) {
        var oid = id.oid
        var out: OpaquePointer?
        try GitError.check(git_reference_create(&out, pointer, name, &oid, 1, message), .commit)
        git_reference_free(out)
    }

    /// Removes reference `name` if it exists (best effort: a leftover is harmless).
    func deleteReference(_ name: String) {
        var out: OpaquePointer?
        guard git_reference_lookup(&out, pointer, name) >= 0, let out else { return }
        _ = git_reference_delete(out)
        git_reference_free(out)
    }
}
