import CLibGit2
import Foundation

/// A bare, work-tree-free mirror of one branch of a remote, kept in a directory of the data dir:
/// fetch the branch, learn whether history was rewritten, and read commits and files from it.
///
/// ```swift
/// let mirror = try GitMirror(remote: GitRemote(url: "file:///srv/config.git", branch: "main"),
///                            directory: dataDir + "/git/source")
/// let fetched = try mirror.fetch()
/// if fetched.change == .rewritten { log.warning("branch was force-pushed") }
/// let files = try mirror.files(at: fetched.head, under: "config/")
/// ```
///
/// Not `Sendable`: libgit2 objects must not be used by two threads at once, and every method
/// blocks (a fetch does network I/O). Use one mirror from one task at a time, e.g. owned by the
/// reconciler's actor, ideally on a dedicated thread or executor so the cooperative pool is not
/// blocked during a fetch. Two mirrors (or two processes) must not share a directory.
public final class GitMirror {
    /// The remote this mirror follows (a relative local path is made absolute).
    public let remote: GitRemote
    /// The bare repository's directory.
    public let directory: String
    /// The open bare repository.
    let repository: Repository
    /// The parsed remote URL (transport, host and port for known_hosts).
    let location: RemoteLocation

    /// Opens the mirror in `directory`, creating an empty bare repository there if the directory
    /// is missing or empty, and points its `origin` at `remote.url` (no network yet).
    ///
    /// Throws `.other` for an unsupported URL, an invalid branch name, or credentials that do not
    /// fit the transport; `.corrupt` when the directory holds something that is not a bare
    /// repository.
    public init(remote: GitRemote, directory: String) throws(GitError) {
        _ = LibGit2.ready
        let location = try Self.validate(remote)
        var url = remote.url
        if location.transport == .local, !url.hasPrefix("/") {
            url = FileManager.default.currentDirectoryPath + "/" + url
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if existing.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw GitError(.open, .other, message: "cannot create \(directory): \(error.localizedDescription)")
            }
            repository = try Repository.initBare(directory)
        } else {
            repository = try Repository.openBare(directory)
        }
        _ = try Remote(origin: url, branch: remote.branch, in: repository)
        self.remote = GitRemote(url: url, branch: remote.branch, credentials: remote.credentials)
        self.directory = directory
        self.location = location
    }

    /// The parsed URL, after checking the branch name and that credentials fit the transport.
    private static func validate(_ remote: GitRemote) throws(GitError) -> RemoteLocation {
        guard let location = RemoteLocation(remote.url) else {
            throw GitError(.open, .other, message: "unsupported remote URL \(remote.url)")
        }
        var valid: Int32 = 0
        guard !remote.branch.isEmpty, git_reference_name_is_valid(&valid, "refs/heads/" + remote.branch) >= 0,
            valid == 1
        else {
            throw GitError(.open, .other, message: "invalid branch name '\(remote.branch)'")
        }
        switch (remote.credentials, location.transport) {
        case (.none, _), (.token, .https), (.token, .http), (.sshKey, .ssh):
            return location
        case (.token, _):
            throw GitError(.open, .other, message: "a token needs an https:// URL, not \(remote.url)")
        case (.sshKey, _):
            throw GitError(
                .open, .other, message: "an SSH key needs an ssh:// or user@host:path URL, not \(remote.url)")
        }
    }
}
