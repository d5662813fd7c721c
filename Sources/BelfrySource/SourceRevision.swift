import BelfryManifest
import Foundation

/// The manifests of one revision of a source, read and ready to validate: a directory's files
/// now, or a git commit's tree.
public struct SourceRevision: Sendable, Equatable, Codable {
    /// Manifest files: path relative to the source root, and text.
    public var files: [File]
    /// `dir:/abs/path` or the full commit id.
    public var revision: String
    /// What people read: `main@9f77800` or the directory.
    public var label: String
    public var author: String?
    public var authorEmail: String?
    /// The commit subject.
    public var message: String?
    /// Where `file:` secrets that are relative paths are resolved from.
    public var secretsRoot: String
    /// The git branch, for plan summaries (`main@9f77800`).
    public var branch: String?
    /// Something the operator should know about this revision (a force-pushed branch).
    public var notice: String?

    public struct File: Sendable, Equatable, Codable {
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    public init(
        files: [File], revision: String, label: String, author: String? = nil, authorEmail: String? = nil,
        message: String? = nil, secretsRoot: String, branch: String? = nil, notice: String? = nil
    ) {
        self.branch = branch
        self.notice = notice
        self.files = files.sorted { $0.path < $1.path }
        self.revision = revision
        self.label = label
        self.author = author
        self.authorEmail = authorEmail
        self.message = message
        self.secretsRoot = secretsRoot
    }

    /// The validated configuration of this revision, or every problem found (the same checks as
    /// `belfry validate`, with unresolvable secrets as errors since the server needs them).
    /// - Parameters:
    ///   - generatedSecrets: app name → the secret generated for an app that gives none.
    ///   - set: this revision's `manifestSet`, when the caller has decoded it already.
    ///   - secrets: where `file:` and `env:` references may point.
    public func snapshot(
        environment: [String: String] = ProcessInfo.processInfo.environment, generatedSecrets: [String: String] = [:],
        set: ManifestSet? = nil, secrets: SecretPolicy
    ) -> Result<ConfigSnapshot, ManifestErrors> {
        let set = set ?? manifestSet
        let result = set.snapshot(
            revision: revision, resolveSecret: { secrets.resolve($0, environment: environment) },
            generatedSecret: { generatedSecrets[$0] })
        let wholeSet = set.wholeSetErrors(source: ".")
        switch result {
        case .success(let snapshot):
            return wholeSet.isEmpty ? .success(snapshot) : .failure(ManifestErrors(wholeSet))
        case .failure(let errors):
            return .failure(ManifestErrors(errors.errors + wholeSet))
        }
    }
}

extension SourceRevision {
    /// The decoded manifests with every per-document and cross-object error.
    public var manifestSet: ManifestSet {
        ManifestSet(files.map { ManifestDecoder.decode(yaml: $0.text, file: $0.path) })
    }
}

/// Where the reconciler reads desired configuration from.
public protocol ConfigSource: Sendable {
    /// A description for logs and the status page (`/srv/config`, `https://host/repo.git#main`).
    var description: String { get }
    /// Reads the newest revision; may block (file or network I/O).
    func fetch() throws(SourceError) -> SourceRevision
    /// Ends a `fetch` in progress as soon as possible (graceful shutdown); it then throws.
    func cancel()
}

extension ConfigSource {
    /// Sources that only read local files finish on their own.
    public func cancel() {}
}

extension DirectorySource: ConfigSource {
    public var description: String { root }

    /// Reads every manifest file; an unreadable or non-UTF-8 file is a located error.
    public func fetch() throws(SourceError) -> SourceRevision {
        var files: [SourceRevision.File] = []
        var errors: [ManifestError] = []
        for path in try manifestFiles() {
            let location = ManifestLocation(file: path, line: 1, column: 1)
            guard let data = FileManager.default.contents(atPath: absolute(path)) else {
                errors.append(ManifestError("cannot read file", at: location))
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                errors.append(ManifestError("file is not valid UTF-8", at: location))
                continue
            }
            files.append(SourceRevision.File(path: path, text: text))
        }
        guard errors.isEmpty else { throw .invalid(ManifestErrors(errors)) }
        let revision = revision(of: files)
        // The label people read: the directory and the digest's first 12 characters.
        let short = revision.split(separator: ":").last.map { String($0.prefix(12)) } ?? ""
        return SourceRevision(files: files, revision: revision, label: "\(root)@\(short)", secretsRoot: root)
    }
}
