import Foundation

/// Who made a commit, and when (`git_signature`).
public struct GitSignature: Sendable, Equatable {
    /// The name, as recorded.
    public let name: String
    /// The email address, without angle brackets.
    public let email: String
    /// The moment of signing.
    public let date: Date
    /// The signer's offset from UTC in minutes, as recorded (e.g. 120 for +0200).
    public let utcOffsetMinutes: Int

    /// A signature with the given parts.
    public init(name: String, email: String, date: Date, utcOffsetMinutes: Int) {
        self.name = name
        self.email = email
        self.date = date
        self.utcOffsetMinutes = utcOffsetMinutes
    }
}

/// A commit's metadata, for status pages and apply history.
public struct GitCommit: Sendable, Equatable {
    /// The commit id (`id.short` for display).
    public let id: CommitID
    /// Who wrote the change.
    public let author: GitSignature
    /// Who committed it (differs from the author after a rebase or a web merge).
    public let committer: GitSignature
    /// The full message, as stored (usually ending in a newline).
    public let message: String
    /// The first paragraph of the message on one line (`git_commit_summary`).
    public let subject: String

    /// A commit value with the given parts.
    public init(id: CommitID, author: GitSignature, committer: GitSignature, message: String, subject: String) {
        self.id = id
        self.author = author
        self.committer = committer
        self.message = message
        self.subject = subject
    }
}

/// One file of a commit's tree: its path from the repository root and its bytes.
public struct GitFile: Sendable, Equatable {
    /// The path from the repository root, `/`-separated (e.g. `config/apps/demo.yaml`).
    public let path: String
    /// The blob's bytes, exactly as committed.
    public let contents: Data

    /// A file with the given path and bytes.
    public init(path: String, contents: Data) {
        self.path = path
        self.contents = contents
    }
}
