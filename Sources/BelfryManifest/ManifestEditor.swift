import BelfryJSON

/// Edits a manifest set's files one object at a time, as text: new objects go to a predictable
/// file, an existing object is rewritten in the document that holds it, and every other byte of
/// every file (other documents, `---`/`...` lines, comments around them, line breaks) is kept.
/// Pure: the caller reads the files, and writes and commits the returned `ManifestChange`.
///
///     let editor = ManifestEditor(files: ["apps/chat.yaml": text])
///     switch editor.replace(object: patched) {
///     case .success(let change): write(change.files)
///     case .failure(let error): respond(error)
///     }
public struct ManifestEditor: Sendable {
    /// Path (relative to the manifests directory) → text, for every manifest file of the set.
    public let files: [String: String]

    /// An editor over `files` (path relative to the manifests directory → text).
    public init(files: [String: String]) {
        self.files = files
    }

    /// Where an object is declared: its file, its index among the file's documents, its lines.
    public func locate(_ identity: ManifestIdentity) -> Result<ManifestDocumentLocation, ManifestEditError> {
        find(identity).map { ManifestDocumentLocation($0.layout, $0.document) }
    }

    /// The object as its document declares it (JSON, as the loader reads it): what `GET` returns
    /// and a `PATCH` merges into.
    public func object(_ identity: ManifestIdentity) -> Result<JSONValue, ManifestEditError> {
        find(identity).map { $0.document.value }
    }

    /// Rewrites the document that declares `object`'s identity with `object` rendered as YAML.
    ///
    /// Only that document's text changes, from its root to its last line: comment lines directly
    /// above it (its header, or the file's) and column-1 comments after it are kept, while
    /// comments inside it are lost, as are YAML anchors, tags and the styles it was written in.
    public func replace(object: JSONValue) -> Result<ManifestChange, ManifestEditError> {
        guard let identity = ManifestIdentity(object: object) else {
            return .failure(.invalidObject("kind and metadata.name must be strings"))
        }
        return replace(identity, with: object)
    }

    /// Rewrites the document that declares `identity` with `object` (which may rename it).
    public func replace(_ identity: ManifestIdentity, with object: JSONValue) -> Result<
        ManifestChange, ManifestEditError
    > {
        find(identity).map { layout, document in
            var text = ManifestYAML.render(object).dropLast().split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: layout.lineBreak)
            if layout.units[document.unit].opener == document.firstLine { text = layout.lineBreak + text }
            let description = "replace \(identity) in \(layout.file)" + position(document, layout)
            return ManifestChange(
                files: [layout.file: layout.replacing(document.start..<document.end, with: text)],
                description: description)
        }
    }

    /// Removes the document that declares `identity` with its `---` line, or the whole file
    /// when that document is the file's only one.
    public func delete(_ identity: ManifestIdentity) -> Result<ManifestChange, ManifestEditError> {
        find(identity).map { layout, document in
            guard layout.documents.count > 1 else {
                return ManifestChange(
                    files: [layout.file: nil], description: "delete \(layout.file) (only \(identity))")
            }
            let range = layout.removal(of: document)
            return ManifestChange(
                files: [layout.file: layout.replacing(range, with: "")],
                description: "delete \(identity) from \(layout.file)" + position(document, layout))
        }
    }

    /// A new file for `object`: `apps/<name>.yaml` for an App, `users/<name>.yaml` for a User.
    public func create(object: JSONValue) -> Result<ManifestChange, ManifestEditError> {
        guard let identity = ManifestIdentity(object: object) else {
            return .failure(.invalidObject("kind and metadata.name must be strings"))
        }
        guard let path = Self.path(for: identity) else {
            return .failure(.invalidObject("no file for \(identity): kind must be App or User, name a DNS label"))
        }
        switch find(identity) {
        case .success(let (_, document)):
            return .failure(.alreadyExists(identity, document.location))
        case .failure(.ambiguous(_, let locations)):
            return .failure(.alreadyExists(identity, locations[0]))
        case .failure(.notFound):
            break
        case .failure(let error):
            return .failure(error)
        }
        guard files[path] == nil else { return .failure(.pathExists(path)) }
        return .success(
            ManifestChange(files: [path: ManifestYAML.render(object)], description: "create \(identity) in \(path)"))
    }

    /// `apps/<name>.yaml` or `users/<name>.yaml`, or nil for another kind or a name that is no
    /// DNS label (which could otherwise leave the directory).
    public static func path(for identity: ManifestIdentity) -> String? {
        guard NodeReader.matches(identity.name, ManifestRules.namePattern) else { return nil }
        switch identity.kind {
        case "App": return "apps/\(identity.name).yaml"
        case "User": return "users/\(identity.name).yaml"
        default: return nil
        }
    }

    /// The one document declaring `identity`, after reading every file (in path order).
    private func find(
        _ identity: ManifestIdentity
    ) -> Result<(layout: ManifestFileLayout, document: ManifestFileLayout.Document), ManifestEditError> {
        var matches: [(layout: ManifestFileLayout, document: ManifestFileLayout.Document)] = []
        for path in files.keys.sorted() {
            let layout: ManifestFileLayout
            do {
                layout = try ManifestFileLayout(text: files[path] ?? "", file: path)
            } catch {
                return .failure(error)
            }
            matches += layout.documents.filter { $0.identity == identity }.map { (layout, $0) }
        }
        guard let match = matches.first else { return .failure(.notFound(identity)) }
        guard matches.count == 1 else {
            return .failure(.ambiguous(identity, matches.map { $0.document.location }))
        }
        return .success(match)
    }

    /// ` (document 2 of 3)` for a file with several documents, else nothing.
    private func position(_ document: ManifestFileLayout.Document, _ layout: ManifestFileLayout) -> String {
        layout.documents.count > 1 ? " (document \(document.index + 1) of \(layout.documents.count))" : ""
    }
}
