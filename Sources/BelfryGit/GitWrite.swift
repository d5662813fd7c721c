import Foundation

/// A name and email for a commit's author or committer.
public struct GitIdentity: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The name, as it will be recorded.
    public let name: String
    /// The email address, without angle brackets.
    public let email: String

    /// An identity with the given parts.
    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// The committer of every write unless configured otherwise: `Belfry <belfry@localhost>`.
    public static let belfry = GitIdentity(name: "Belfry", email: "belfry@localhost")

    /// `Name <email>`.
    public var description: String { "\(name) <\(email)>" }
}

/// One commit to make on a remote branch: which files change, who changes them, and what the
/// caller expects the branch to hold. The branch it is built on is the mirror's (`base`).
///
/// ```swift
/// let write = GitWrite(
///     changes: ["apps/demo.yaml": Data(yaml.utf8), "apps/old.yaml": nil],
///     message: "Create app demo", author: GitIdentity(name: "Alice", email: "alice@example.com"),
///     expectedBase: servedCommit)
/// ```
public struct GitWrite: Sendable, Equatable, Codable {
    /// Path from the repository root (`/`-separated) → the file's new bytes, or nil to delete it.
    /// New files get mode 0644; a changed file keeps its mode.
    public var changes: [String: Data?]
    /// The commit message.
    public var message: String
    /// Who asked for the change (the API's User).
    public var author: GitIdentity
    /// Who made the commit; Belfry by default.
    public var committer: GitIdentity
    /// The branch to push to; nil pushes to the base branch. A target branch that does not exist
    /// yet is created from the base tip; one that exists is built on its own tip.
    public var targetBranch: String?
    /// The tip the caller read and validated; if the branch built on has moved since, nothing is
    /// committed and the result is `.baseMoved`. nil builds on whatever the tip is.
    public var expectedBase: CommitID?

    /// A write; see each property.
    public init(
        changes: [String: Data?], message: String, author: GitIdentity, committer: GitIdentity = .belfry,
        targetBranch: String? = nil, expectedBase: CommitID? = nil
    ) {
        self.changes = changes
        self.message = message
        self.author = author
        self.committer = committer
        self.targetBranch = targetBranch
        self.expectedBase = expectedBase
    }
}

/// What became of a write, as data: the API turns each case into its answer.
public enum GitWriteResult: Sendable, Equatable, Codable {
    /// The commit is on the remote branch.
    case committed(CommitID, branch: String)
    /// The changes would not change any file; nothing was committed or pushed. The id is the tip.
    case unchanged(CommitID)
    /// The branch built on is no longer at `expectedBase`: re-read, re-validate and retry (then 409).
    case baseMoved(CommitID)
    /// The remote refused the update: a concurrent push made it a non-fast-forward, or a hook or
    /// branch protection declined it. The reason is the remote's (or libgit2's) words.
    case rejected(String)
    /// The credentials cannot write to the remote (authentication or permission): answer 403.
    case noWriteAccess(String)
    /// Anything else: the remote is unreachable, the change set is invalid, the mirror is damaged.
    case failed(GitError)
}
