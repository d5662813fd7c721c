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

    /// `dir:<absolute path>`, the revision recorded in snapshots from this source.
    public var revision: String { "dir:\(root)" }

    /// Decodes and cross-checks every manifest without resolving secrets (what `validate` needs).
    public func manifestSet() throws(SourceError) -> ManifestSet {
        let files = try manifestFiles()
        return ManifestSet(files.map(decode))
    }

    /// The configuration to run: every manifest valid and every secret resolved, or a
    /// `SourceError` listing every problem.
    /// - Parameter environment: where `{ env: NAME }` secrets are looked up.
    public func load(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SourceError) -> ConfigSnapshot {
        let set = try manifestSet()
        let result = set.snapshot(revision: revision) { resolve($0, environment: environment) }
        let wholeSet = set.wholeSetErrors(source: ".")
        switch result {
        case .success(let snapshot):
            guard wholeSet.isEmpty else { throw .invalid(ManifestErrors(wholeSet)) }
            return snapshot
        case .failure(let errors): throw .invalid(ManifestErrors(errors.errors + wholeSet))
        }
    }

    /// Reads and decodes one manifest file, given relative to `root`.
    func decode(_ file: String) -> ManifestDocuments {
        let location = ManifestLocation(file: file, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: absolute(file)) else {
            return ManifestDocuments(errors: [ManifestError("cannot read file", at: location)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return ManifestDocuments(errors: [ManifestError("file is not valid UTF-8", at: location)])
        }
        return ManifestDecoder.decode(yaml: text, file: file)
    }

    /// `relative` resolved against `root`, unless it is already absolute.
    func absolute(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : root + "/" + relative
    }
}
