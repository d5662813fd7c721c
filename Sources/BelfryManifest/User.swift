/// An admin user of the status page, from a `kind: User` manifest.
public struct User: Sendable, Equatable {
    /// `metadata.name`: the identity of the manifest (unique among Users).
    public var name: String
    public var email: String
    /// A bcrypt hash; never logged.
    public var passwordHash: String

    public init(name: String, email: String, passwordHash: String) {
        self.name = name
        self.email = email
        self.passwordHash = passwordHash
    }
}
