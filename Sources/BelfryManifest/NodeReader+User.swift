import Yams

extension NodeReader {
    /// The `spec` of a `kind: User` document; `nil` when a required field is unusable.
    mutating func user(spec node: Node, name: String?, document: ManifestLocation) -> UserManifest? {
        let required = ["email", "passwordHash"]
        guard let fields = fields(node, "/spec", allowed: required, required: required) else { return nil }
        let email = fields["email"].flatMap { string($0, "/spec/email", pattern: ManifestRules.emailPattern) }
        let hash = fields["passwordHash"].flatMap { passwordHash($0, "/spec/passwordHash") }
        guard let name, let email, let hash else { return nil }
        let user = User(name: name, email: email, passwordHash: hash)
        return UserManifest(user: user, location: document, fieldLocations: locations)
    }

    /// A bcrypt hash. The message never repeats the value: it may be a password pasted by mistake.
    mutating func passwordHash(_ node: Node, _ path: String) -> String? {
        guard let value = string(node, path) else { return nil }
        guard Self.matches(value, ManifestRules.bcryptPattern) else {
            fail("must be a bcrypt hash ($2a$, $2b$ or $2y$, a two-digit cost, $, then 53 characters)", node, path)
            return nil
        }
        return value
    }
}
