/// An admin user of the status page and the management API, from a `kind: User` manifest.
public struct User: Sendable, Equatable {
    /// `metadata.name`: the identity of the manifest (unique among Users).
    public var name: String
    public var email: String
    /// A bcrypt hash; never logged.
    public var passwordHash: String
    /// `spec.apiTokens`: the tokens that act as this User on `/api/v1`, by digest.
    public var apiTokens: [APIToken]

    public init(name: String, email: String, passwordHash: String, apiTokens: [APIToken] = []) {
        self.name = name
        self.email = email
        self.passwordHash = passwordHash
        self.apiTokens = apiTokens
    }
}
