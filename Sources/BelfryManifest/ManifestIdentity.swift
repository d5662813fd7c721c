import BelfryJSON

/// What names an object among all manifests: its `kind` and `metadata.name`, not its file.
public struct ManifestIdentity: Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    public var name: String

    /// `kind` (`App`, `User`) and `metadata.name`.
    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    /// The identity a manifest object declares, or nil when `kind` or `metadata.name` is not a string.
    public init?(object: JSONValue) {
        guard let kind = object["kind"]?.stringValue, let name = object["metadata"]?["name"]?.stringValue else {
            return nil
        }
        self.init(kind: kind, name: name)
    }

    /// `App "chat"`.
    public var description: String { "\(kind) \(NodeReader.quoted(name))" }
}
