import BelfryGit
import Foundation

/// Manifests from a git branch: a bare mirror in the data directory is fetched with libgit2 and
/// the manifests are read from the head commit's tree (no work tree). A rewritten (force-pushed)
/// branch is reported in the revision's `notice`.
///
/// `@unchecked Sendable`: the mirror is not thread-safe, so every use of it (and of `lastHead`)
/// happens under `lock`; one fetch runs at a time.
public final class GitSource: ConfigSource, @unchecked Sendable {
    private let lock = NSLock()
    private let mirror: GitMirror
    private let subpath: String
    private let secretsRoot: String
    private var lastHead: CommitID?
    public let description: String

    /// - Parameters:
    ///   - subpath: the directory inside the repository holding the manifests ("" for the root).
    ///   - mirrorDirectory: where the bare clone lives (inside the data directory).
    ///   - secretsRoot: where relative `file:` secret paths are resolved (secrets are not in git).
    public init(
        url: String, branch: String, subpath: String, credentials: GitCredentials, mirrorDirectory: String,
        secretsRoot: String
    ) throws(SourceError) {
        do {
            mirror = try GitMirror(
                remote: GitRemote(url: url, branch: branch, credentials: credentials), directory: mirrorDirectory)
        } catch {
            throw .git("\(error)")
        }
        self.subpath = subpath.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.secretsRoot = secretsRoot
        description = "\(Self.redacted(url))#\(branch)" + (self.subpath.isEmpty ? "" : ":\(self.subpath)")
    }

    public func fetch() throws(SourceError) -> SourceRevision {
        try fetch(since: nil)
    }

    /// Fetches and reads the head; `since` (a commit id) is the head to compare with for the
    /// force-push notice, when this instance did not fetch it itself (a child process per fetch).
    public func fetch(since: String?) throws(SourceError) -> SourceRevision {
        lock.lock()
        defer { lock.unlock() }
        do {
            let previous = since.flatMap { CommitID(hex: $0) } ?? lastHead
            let result = try mirror.fetch(since: previous)
            var notice: String?
            if result.change == .rewritten, let previous = result.previous {
                notice =
                    "branch \(mirror.remote.branch) was force-pushed: \(previous.short) is no longer an ancestor of \(result.head.short)"
            }
            lastHead = result.head
            let commit = try mirror.commit(result.head)
            let prefix = subpath.isEmpty ? "" : subpath + "/"
            let files = try mirror.files(at: result.head, under: subpath).compactMap { file -> SourceRevision.File? in
                guard file.path.hasSuffix(".yaml") || file.path.hasSuffix(".yml") else { return nil }
                let relative = file.path.hasPrefix(prefix) ? String(file.path.dropFirst(prefix.count)) : file.path
                guard !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { return nil }
                return SourceRevision.File(path: relative, text: String(decoding: file.contents, as: UTF8.self))
            }
            return SourceRevision(
                files: files, revision: result.head.hex, label: "\(mirror.remote.branch)@\(result.head.short)",
                author: commit.author.name, authorEmail: commit.author.email, message: commit.subject,
                secretsRoot: secretsRoot, branch: mirror.remote.branch, notice: notice)
        } catch {
            throw .git("\(error)")
        }
    }

    /// A URL without any user:password part, for logs.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else {
            return url
        }
        return String(url[..<scheme.upperBound]) + "***@" + String(url[url.index(after: at)...])
    }
}
