import BelfryManifest

/// The JSON form of a `User` in the `appliedConfig.users` column; property names are stored keys.
struct StoredUser: Codable, Sendable {
    var name: String
    var email: String
    /// A bcrypt hash, never the password.
    var passwordHash: String
    /// Digests of the User's API tokens; absent in rows saved before API tokens existed.
    var apiTokens: [Token]?

    /// One `spec.apiTokens` entry: the digest, never the token.
    struct Token: Codable, Sendable {
        var name: String
        var sha256: String
    }

    init(_ user: User) {
        name = user.name
        email = user.email
        passwordHash = user.passwordHash
        apiTokens = user.apiTokens.isEmpty ? nil : user.apiTokens.map { Token(name: $0.name, sha256: $0.sha256) }
    }

    var user: User {
        User(
            name: name, email: email, passwordHash: passwordHash,
            apiTokens: (apiTokens ?? []).map { APIToken(name: $0.name, sha256: $0.sha256) })
    }
}
