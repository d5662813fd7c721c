/// One problem found in the manifests, located at the value it is about.
///
/// Text is written once, here: `apps/chat.yaml:7:7: error: /spec/id: must be a string (quote it)`.
public struct ManifestError: Error, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var location: ManifestLocation
    /// What is wrong, without the location (`must be a string (quote it)`).
    public var message: String

    /// An error about the value at `location`.
    public init(_ message: String, at location: ManifestLocation) {
        self.message = message
        self.location = location
    }

    /// `file:line:col: error: /path: message` (the path is left out for the document root).
    public var description: String { line(severity: "error") }

    /// `file:line:col: <severity>: /path: message`.
    public func line(severity: String) -> String {
        let path = location.path.isEmpty ? "" : "\(location.path): "
        return "\(location): \(severity): \(path)\(message)"
    }

    /// Orders by location, then message.
    public static func < (lhs: ManifestError, rhs: ManifestError) -> Bool {
        (lhs.location, lhs.message) < (rhs.location, rhs.message)
    }
}
