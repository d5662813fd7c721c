import CLibGit2
import Foundation

/// A looked-up `git_tree`, freed in deinit; keeps its repository alive. Entries borrowed from
/// it are used only inside its own methods, so the tree outlives them.
final class Tree {
    /// The libgit2 handle; valid for the lifetime of this object.
    let pointer: OpaquePointer
    /// The repository the tree was read from.
    let repository: Repository

    /// Wraps an owned tree pointer.
    init(_ pointer: OpaquePointer, repository: Repository) {
        self.pointer = pointer
        self.repository = repository
    }

    deinit { git_tree_free(pointer) }

    /// Every regular file at or below `path` (relative to this tree; "" for all), with paths
    /// prefixed by `prefix`. Symbolic links and submodules are skipped; a missing path is empty.
    func files(at path: String, prefix: String) throws(GitError) -> [GitFile] {
        if path.isEmpty { return try files(prefix: prefix) }
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, pointer, path)
        if code == GIT_ENOTFOUND.rawValue { return [] }
        guard code >= 0, let entry else { throw GitError.libgit2(.readFiles, code: code) }
        defer { git_tree_entry_free(entry) }
        switch git_tree_entry_type(entry) {
        case GIT_OBJECT_TREE:
            return try subtree(git_tree_entry_id(entry)).files(prefix: prefix + path + "/")
        case GIT_OBJECT_BLOB where git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK:
            return [GitFile(path: prefix + path, contents: try blob(git_tree_entry_id(entry)))]
        default:
            return []
        }
    }

    /// Every regular file in this tree and below, depth first in tree order.
    private func files(prefix: String) throws(GitError) -> [GitFile] {
        var result: [GitFile] = []
        for index in 0..<git_tree_entrycount(pointer) {
            guard let entry = git_tree_entry_byindex(pointer, index) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE:
                result += try subtree(git_tree_entry_id(entry)).files(prefix: prefix + name + "/")
            case GIT_OBJECT_BLOB where git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK:
                result.append(GitFile(path: prefix + name, contents: try blob(git_tree_entry_id(entry))))
            default:
                continue  // submodule commits
            }
        }
        return result
    }

    private func subtree(_ id: UnsafePointer<git_oid>?) throws(GitError) -> Tree {
        var out: OpaquePointer?
        let code = git_tree_lookup(&out, repository.pointer, id)
        guard code >= 0, let out else { throw GitError.libgit2(.readFiles, code: code, kind: .corrupt) }
        return Tree(out, repository: repository)
    }

    private func blob(_ id: UnsafePointer<git_oid>?) throws(GitError) -> Data {
        var out: OpaquePointer?
        let code = git_blob_lookup(&out, repository.pointer, id)
        guard code >= 0, let out else { throw GitError.libgit2(.readFiles, code: code, kind: .corrupt) }
        defer { git_blob_free(out) }
        let size = Int(git_blob_rawsize(out))
        guard size > 0, let bytes = git_blob_rawcontent(out) else { return Data() }
        return Data(bytes: bytes, count: size)
    }
}
