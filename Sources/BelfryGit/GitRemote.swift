/// The git source of the configuration: a URL (or local path), a branch, and how to log in.
///
/// ```swift
/// let remote = GitRemote(url: "https://github.com/acme/belfry-config.git", branch: "main",
///                        credentials: .token(ProcessInfo.processInfo.environment["GIT_TOKEN"] ?? ""))
/// ```
public struct GitRemote: Sendable, Equatable, CustomStringConvertible {
    /// A local path, `file://`, `https://`, `http://`, `ssh://`, scp-like `git@host:path`, or `git://`.
    public let url: String
    /// The branch to follow, without `refs/heads/`.
    public let branch: String
    /// How to authenticate; `.none` for local paths and `file://`.
    public let credentials: GitCredentials

    /// A remote; nothing is checked until a `GitMirror` is made from it.
    public init(url: String, branch: String, credentials: GitCredentials = .none) {
        self.url = url
        self.branch = branch
        self.credentials = credentials
    }

    /// Where the mirror keeps the fetched branch head.
    public var trackingReference: String { "refs/remotes/origin/" + branch }

    /// `url#branch (credentials)`, with secrets redacted.
    public var description: String { "\(url)#\(branch) (\(credentials))" }
}
