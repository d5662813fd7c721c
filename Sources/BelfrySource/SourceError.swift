import BelfryManifest

/// Why a source could not produce a configuration; `description` is what an operator reads.
public enum SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source directory does not exist.
    case directoryNotFound(path: String)
    /// The source path exists but is not a directory.
    case notADirectory(path: String)
    /// The directory (or one below it) could not be listed.
    case unreadableDirectory(path: String, reason: String)
    /// The manifests were read but are invalid; one located error per problem.
    case invalid(ManifestErrors)
    /// The git source could not be fetched or read (libgit2's message, credentials never shown).
    case git(String)
    /// A file of a directory source could not be written or deleted.
    case unwritable(path: String, reason: String)

    /// One line per problem: `error: …` for the directory, `file:line:col: error: …` for manifests.
    public var description: String {
        switch self {
        case .directoryNotFound(let path): "error: config directory \(path) does not exist"
        case .notADirectory(let path): "error: config path \(path) is not a directory"
        case .unreadableDirectory(let path, let reason): "error: cannot read config directory \(path): \(reason)"
        case .invalid(let errors): errors.description
        case .git(let message): "error: \(message)"
        case .unwritable(let path, let reason): "error: cannot write \(path): \(reason)"
        }
    }
}
