/// What one file decoded to: the objects that could be read, and every problem found.
/// An object with errors in optional fields is still listed (with defaults) so that
/// cross-object checks see it; the errors keep it out of any snapshot.
public struct ManifestDocuments: Sendable, Equatable {
    public var apps: [AppManifest] = []
    public var users: [UserManifest] = []
    public var errors: [ManifestError] = []
    /// Whether a document carries `belfry.dev/allow-empty: "true"`.
    public var allowsEmptyConfiguration = false

    /// The result of decoding one file.
    public init(apps: [AppManifest] = [], users: [UserManifest] = [], errors: [ManifestError] = []) {
        self.apps = apps
        self.users = users
        self.errors = errors
    }
}
