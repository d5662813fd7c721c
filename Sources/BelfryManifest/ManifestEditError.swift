/// Why a manifest edit could not be made; each case is a value the API turns into a response.
public enum ManifestEditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No document declares this object.
    case notFound(ManifestIdentity)
    /// Several documents declare this object (the set is invalid until one goes).
    case ambiguous(ManifestIdentity, [ManifestLocation])
    /// A file is not valid YAML, so which objects it holds is unknown.
    case unparseable(file: String, errors: [ManifestError])
    /// The object given cannot be written (no kind or name, a kind or name with no file for it).
    case invalidObject(String)
    /// `create` of an object that some document already declares.
    case alreadyExists(ManifestIdentity, ManifestLocation)
    /// `create` would write a file that exists already.
    case pathExists(String)

    /// One line for logs and problem details.
    public var description: String {
        switch self {
        case .notFound(let identity):
            return "\(identity) is not declared in any manifest"
        case .ambiguous(let identity, let locations):
            return "\(identity) is declared more than once: " + locations.map(\.description).joined(separator: ", ")
        case .unparseable(let file, let errors):
            return "\(file) is not valid YAML: " + errors.map(\.description).joined(separator: "; ")
        case .invalidObject(let reason):
            return "cannot write this object: \(reason)"
        case .alreadyExists(let identity, let location):
            return "\(identity) already exists at \(location)"
        case .pathExists(let path):
            return "\(path) already exists"
        }
    }
}
