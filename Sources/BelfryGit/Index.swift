import CLibGit2
import Foundation

/// An in-memory `git_index` (no file, no work tree) used to turn a tree plus a change set into a
/// new tree: nested directories come and go with the files in them. Freed in deinit.
final class Index {
    private let pointer: OpaquePointer
    private let repository: Repository

    /// An index holding every entry of `tree`.
    init(reading tree: Tree) throws(GitError) {
        var out: OpaquePointer?
        try GitError.check(git_index_new(&out), .commit)
        guard let out else { throw GitError(.commit, .other, message: "git_index_new returned no index") }
        pointer = out
        repository = tree.repository
        try GitError.check(git_index_read_tree(pointer, tree.pointer), .commit)
    }

    deinit { git_index_free(pointer) }

    /// Stores `contents` as a blob at `path`, keeping an existing file's mode (0644 otherwise).
    /// A path under an existing file, or naming an existing directory, is refused: git would
    /// silently drop the other side.
    func set(_ path: String, contents: Data) throws(GitError) {
        if let file = parentFile(of: path) {
            throw GitError(.commit, .other, message: "cannot write \(path): \(file) is a file")
        }
        if isDirectory(path) {
            throw GitError(.commit, .other, message: "cannot write \(path): it is a directory")
        }
        var blob = git_oid()
        let code = contents.withUnsafeBytes { bytes in
            git_blob_create_from_buffer(&blob, repository.pointer, bytes.baseAddress, bytes.count)
        }
        try GitError.check(code, .commit)
        let regular: Set<UInt32> = [GIT_FILEMODE_BLOB.rawValue, GIT_FILEMODE_BLOB_EXECUTABLE.rawValue]
        let existing = git_index_get_bypath(pointer, path, 0)?.pointee.mode
        var entry = git_index_entry()
        entry.mode = existing.flatMap { regular.contains($0) ? $0 : nil } ?? GIT_FILEMODE_BLOB.rawValue
        entry.id = blob
        entry.file_size = UInt32(truncatingIfNeeded: contents.count)
        let added = path.withCString { cPath in
            entry.path = cPath
            return git_index_add(pointer, &entry)
        }
        try GitError.check(added, .commit)
    }

    /// Removes the file at `path`; true if there was one. A directory left empty disappears.
    func remove(_ path: String) throws(GitError) -> Bool {
        guard git_index_get_bypath(pointer, path, 0) != nil else { return false }
        try GitError.check(git_index_remove(pointer, path, 0), .commit)
        return true
    }

    /// Writes the tree (and its subtrees) to the object database and returns its id.
    func writeTree() throws(GitError) -> git_oid {
        var oid = git_oid()
        try GitError.check(git_index_write_tree_to(&oid, pointer, repository.pointer), .commit)
        return oid
    }

    /// The first proper prefix of `path` that is a file in the index, if any.
    private func parentFile(of path: String) -> String? {
        let parts = path.split(separator: "/")
        for count in stride(from: 1, to: parts.count, by: 1) {
            let prefix = parts.prefix(count).joined(separator: "/")
            if git_index_get_bypath(pointer, prefix, 0) != nil { return prefix }
        }
        return nil
    }

    /// Whether some entry lies below `path/`.
    private func isDirectory(_ path: String) -> Bool {
        var position = 0
        return git_index_find_prefix(&position, pointer, path + "/") == 0
    }
}
