import Yams

extension NodeReader {
    /// The `spec` of a `kind: User` document; `nil` when a required field is unusable.
    mutating func user(spec node: Node, name: String?, document: ManifestLocation) -> UserManifest? {
        let required = ["email", "passwordHash"]
        guard let fields = fields(node, "/spec", allowed: required + ["apiTokens"], required: required) else {
            return nil
        }
        let email = fields["email"].flatMap { string($0, "/spec/email", pattern: ManifestRules.emailPattern) }
        let hash = fields["passwordHash"].flatMap { passwordHash($0, "/spec/passwordHash") }
        let tokens = fields["apiTokens"].map { apiTokens($0, "/spec/apiTokens") } ?? []
        guard let name, let email, let hash, let tokens else { return nil }
        let user = User(name: name, email: email, passwordHash: hash, apiTokens: tokens)
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

    /// `spec.apiTokens`: at most 20 `{name, sha256}`, names unique within the User. Whether a
    /// digest is unique across Users is the manifest set's check.
    mutating func apiTokens(_ node: Node, _ path: String) -> [APIToken]? {
        guard let items = items(node, path) else { return nil }
        guard items.count <= ManifestRules.maxAPITokens else {
            fail("must have at most \(ManifestRules.maxAPITokens) items", node, path)
            return nil
        }
        var tokens: [APIToken] = []
        var firstLine: [String: Int] = [:]
        var valid = true
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)/\(index)"
            let names = ["name", "sha256"]
            guard let fields = fields(item, itemPath, allowed: names, required: names) else {
                valid = false
                continue
            }
            let name = fields["name"].flatMap { string($0, itemPath + "/name", pattern: ManifestRules.namePattern) }
            let digest = fields["sha256"].flatMap { sha256($0, itemPath + "/sha256") }
            guard let name, let digest else {
                valid = false
                continue
            }
            if let line = firstLine[name], let nameNode = fields["name"] {
                fail(
                    "duplicate API token name \(Self.quoted(name)) (first at line \(line))", nameNode,
                    itemPath + "/name")
                valid = false
                continue
            }
            firstLine[name] = locations[itemPath + "/name"]?.line ?? 1
            tokens.append(APIToken(name: name, sha256: digest))
        }
        return valid ? tokens : nil
    }

    /// A token's digest. The message never repeats the value: it may be the token pasted by mistake.
    mutating func sha256(_ node: Node, _ path: String) -> String? {
        guard let value = string(node, path) else { return nil }
        guard Self.matches(value, ManifestRules.sha256Pattern) else {
            fail(ManifestRules.sha256Message, node, path)
            return nil
        }
        return value
    }
}
