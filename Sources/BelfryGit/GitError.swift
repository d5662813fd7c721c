/// A failed git operation: what was attempted, libgit2's words, and how a caller should retry.
///
/// `description` is the operator-facing line, e.g.
/// `git fetch failed (unreachable): could not find repository at '/srv/config.git'`.
public struct GitError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// What the mirror was doing when libgit2 (or a check of ours) failed.
    public enum Operation: String, Sendable, Equatable, Codable {
        /// Opening or creating the mirror, or checking the remote configuration.
        case open
        /// Fetching the branch from the remote.
        case fetch
        /// Reading a reference or comparing commits in the mirror.
        case resolve
        /// Reading a commit's metadata.
        case readCommit = "read commit"
        /// Reading files from a commit's tree.
        case readFiles = "read files"
        /// Building a tree and a commit from a change set (a write).
        case commit
        /// Pushing a commit to the remote (a write).
        case push
    }

    /// How to react: the reconciler's retry policy keys on this, never on `message`.
    public enum Kind: Sendable, Equatable, Codable {
        /// The remote could not be reached or did not answer; transient: back off and retry.
        case unreachable
        /// Credentials were refused or the SSH host key is unknown; retrying without a
        /// configuration change will fail the same way.
        case auth
        /// The branch (or commit) named here does not exist; wait for a push or a config change.
        case notFound(String)
        /// The local mirror or the received data is damaged; delete the mirror directory and
        /// clone again.
        case corrupt
        /// Anything else (bad URL, permissions, owner validation): needs an operator.
        case other
    }

    /// What was being done.
    public let operation: Operation
    /// The retry class.
    public let kind: Kind
    /// libgit2's message (from `git_error_last()`), or ours when the check was ours.
    public let message: String
    /// libgit2's return code (`GIT_E*`, negative), or 0 when the failure was detected by us.
    public let code: Int32

    /// An error with the given parts.
    public init(_ operation: Operation, _ kind: Kind, message: String, code: Int32 = 0) {
        self.operation = operation
        self.kind = kind
        self.message = message
        self.code = code
    }

    /// True for failures worth retrying with back-off without any change (`.unreachable`).
    public var isTransient: Bool { kind == .unreachable }

    /// One line: `git <operation> failed (<kind>): <message>`.
    public var description: String {
        let kindText: String
        switch kind {
        case .unreachable: kindText = "unreachable"
        case .auth: kindText = "authentication"
        case .notFound(let name): kindText = "\(name) not found"
        case .corrupt: kindText = "corrupt"
        case .other: kindText = "error"
        }
        return "git \(operation.rawValue) failed (\(kindText)): \(message)"
    }
}
