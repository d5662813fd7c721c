/// A decoded `kind: User` document, with where each field was written.
public struct UserManifest: Sendable, Equatable {
    public var user: User
    /// Where the document starts (its root mapping).
    public var location: ManifestLocation
    /// Where each field present in the document was written, by JSON pointer.
    public var fieldLocations: [String: ManifestLocation]

    /// A manifest as the decoder builds it.
    public init(user: User, location: ManifestLocation, fieldLocations: [String: ManifestLocation] = [:]) {
        self.user = user
        self.location = location
        self.fieldLocations = fieldLocations
    }

    /// The location of the field at `path` (`/spec/email`), or of the document when it is absent.
    public func location(of path: String) -> ManifestLocation {
        fieldLocations[path] ?? location.with(path: path)
    }
}
