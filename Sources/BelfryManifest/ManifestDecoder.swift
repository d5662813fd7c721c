import Yams

/// Decodes the YAML text of one file into manifests. Pure: the caller reads the file.
///
///     let documents = ManifestDecoder.decode(yaml: text, file: "apps/chat.yaml")
///     documents.errors.forEach { print($0) }   // apps/chat.yaml:7:7: error: /spec/id: …
public enum ManifestDecoder {
    /// Decodes every document of `yaml` (separated by `---`; empty ones are skipped).
    /// - Parameter file: the name errors are reported under.
    public static func decode(yaml: String, file: String) -> ManifestDocuments {
        var result = ManifestDocuments()
        var roots: YamlSequence<Node>
        do {
            roots = try compose_all(yaml: yaml)
        } catch {
            result.errors.append(syntaxError(error, file: file))
            return result
        }
        while let root = roots.next() {
            decodeDocument(root, file: file, into: &result)
        }
        if let error = roots.error {
            result.errors.append(syntaxError(error, file: file))
        }
        return result
    }

    /// Decodes one document into an App or a User, appending what it finds to `result`.
    static func decodeDocument(_ root: Node, file: String, into result: inout ManifestDocuments) {
        if root.scalar != nil, NodeReader.tagName(root) == .null { return }  // an empty document
        // The schema is the definition of the format: when it finds problems, they are the report.
        // The reader below then only adds what a schema cannot see (YAML 1.1 ambiguities).
        let schemaErrors = ManifestSchemas.violations(of: YAMLInstance(root, file: file))
        guard schemaErrors.isEmpty else {
            result.errors += schemaErrors
            return
        }
        var reader = NodeReader(file: file)
        defer { result.errors += reader.errors }
        let required = ["apiVersion", "kind", "metadata", "spec"]
        guard let fields = reader.fields(root, "", allowed: required, required: required) else { return }
        let document = reader.location(root, "")
        if let node = fields["apiVersion"], let version = reader.string(node, "/apiVersion"),
            version != ManifestRules.apiVersion
        {
            let got = NodeReader.quoted(version)
            reader.fail("unsupported apiVersion \(got) (expected \(ManifestRules.apiVersion))", node, "/apiVersion")
        }
        let metadata = fields["metadata"].map { reader.metadata($0) }
        let name = metadata?.name
        if metadata?.annotations[ManifestRules.allowEmptyAnnotation] == "true" {
            result.allowsEmptyConfiguration = true
        }
        guard let kindNode = fields["kind"], let kind = reader.string(kindNode, "/kind") else { return }
        switch kind {
        case "App":
            guard let spec = fields["spec"] else { return }
            if let app = reader.app(spec: spec, name: name, document: document) { result.apps.append(app) }
        case "User":
            guard let spec = fields["spec"] else { return }
            if let user = reader.user(spec: spec, name: name, document: document) { result.users.append(user) }
        default:
            reader.fail("unknown kind \(NodeReader.quoted(kind)) (expected App or User)", kindNode, "/kind")
        }
    }

    /// A Yams parse error as a located `ManifestError`.
    static func syntaxError(_ error: any Error, file: String) -> ManifestError {
        func at(_ mark: Mark?) -> ManifestLocation {
            ManifestLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _)?, .parser(let context, let problem, let mark, _)?,
            .composer(let context, let problem, let mark, _)?:
            let detail = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return ManifestError("invalid YAML: \(problem)\(detail)", at: at(mark))
        case .duplicatedKeysInMapping(let duplicates, let context)?:
            let keys = duplicates.map(NodeReader.quoted).joined(separator: ", ")
            return ManifestError("duplicate key \(keys)", at: at(context.mark))
        case .reader(let problem, _, _, _)?:
            return ManifestError("invalid YAML: \(problem)", at: at(nil))
        default:
            return ManifestError("invalid YAML: \(error)", at: at(nil))
        }
    }
}
