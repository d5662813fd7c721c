import BelfryManifest
import Foundation

/// Reads the configuration from a local directory: every `*.yaml` / `*.yml` file below it
/// (dot-files and dot-directories skipped), secrets from the environment or from files.
///
///     let snapshot = try DirectorySource(path: "examples/config").load()
public struct DirectorySource: Sendable {
    /// The directory as given; `root` is its absolute, standardized form.
    public let path: String
    /// Absolute path of the directory; file names in errors are relative to it.
    public let root: String

    /// A source reading `path` (relative paths are taken from the current directory).
    public init(path: String) {
        self.path = path
        self.root = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// `dir:<absolute path>@sha256:<hex>`: the directory and a digest of the manifest files read
    /// (names and contents), so every edit is a new revision. A fixed file is then applied at the
    /// next interval, and "drift" keeps its meaning: the server differs from the applied revision.
    public func revision(of files: [SourceRevision.File]) -> String {
        var text = ""
        for file in files.sorted(by: { $0.path < $1.path }) {
            text += file.path + "\u{0}" + String(file.text.utf8.count) + "\u{0}" + file.text + "\u{0}"
        }
        return "dir:\(root)@\(ConfigSnapshot.digest(text))"
    }

    /// Decodes and cross-checks every manifest without resolving secrets (what `validate` needs).
    public func manifestSet() throws(SourceError) -> ManifestSet {
        try fetch().manifestSet
    }

    /// The configuration to run: every manifest valid and every secret resolved, or a
    /// `SourceError` listing every problem.
    /// - Parameter environment: where `{ env: NAME }` secrets are looked up.
    public func load(
        environment: [String: String] = ProcessInfo.processInfo.environment, secrets: SecretPolicy
    ) throws(SourceError) -> ConfigSnapshot {
        switch try fetch().snapshot(environment: environment, secrets: secrets) {
        case .success(let snapshot): return snapshot
        case .failure(let errors): throw .invalid(errors)
        }
    }

    /// `relative` resolved against `root`, unless it is already absolute.
    func absolute(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : root + "/" + relative
    }
}
