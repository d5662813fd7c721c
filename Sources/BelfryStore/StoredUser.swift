import BelfryManifest

/// The JSON form of a `User` in the `appliedConfig.users` column; property names are stored keys.
struct StoredUser: Codable, Sendable {
    var name: String
    var email: String
    /// A bcrypt hash, never the password.
    var passwordHash: String

    init(_ user: User) {
        name = user.name
        email = user.email
        passwordHash = user.passwordHash
    }

    var user: User { User(name: name, email: email, passwordHash: passwordHash) }
}
