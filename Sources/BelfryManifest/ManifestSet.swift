/// All manifests of one source revision, checked as a whole: decode errors from every file plus
/// the cross-object rules (unique App and User names, app ids, app keys, user emails and API
/// token digests).
///
///     let set = ManifestSet(files.map { ManifestDecoder.decode(yaml: $0.text, file: $0.name) })
///     if set.errors.isEmpty { … }
public struct ManifestSet: Sendable, Equatable {
    /// Apps in the order given (files in path order, documents in file order).
    public let apps: [AppManifest]
    public let users: [UserManifest]
    /// Every problem found, sorted by file, line and column; empty when the set is valid.
    public let errors: [ManifestError]
    /// Whether any document is annotated `belfry.dev/allow-empty: "true"`: the revision may then
    /// delete every App or every User.
    public let allowsEmpty: Bool

    /// Combines the decoded files, in order: on a duplicate, the later object is the one reported.
    public init(_ files: [ManifestDocuments]) {
        apps = files.flatMap(\.apps)
        allowsEmpty = files.contains { $0.allowsEmptyConfiguration }
        users = files.flatMap(\.users)
        var errors = files.flatMap(\.errors)
        var unique = UniquenessCheck()
        for app in apps {
            let owner = "App \(NodeReader.quoted(app.name))"
            unique.claim("App name", app.name, at: app.location(of: "/metadata/name"), by: owner)
            unique.claim("app id", app.id, at: app.location(of: "/spec/id"), by: owner)
            unique.claim("app key", app.key, at: app.location(of: "/spec/key"), by: owner)
        }
        for user in users {
            let owner = "User \(NodeReader.quoted(user.user.name))"
            unique.claim("User name", user.user.name, at: user.location(of: "/metadata/name"), by: owner)
            let email = user.user.email.lowercased()
            unique.claim("user email", email, at: user.location(of: "/spec/email"), by: owner)
            // One digest is one token: two entries for it would make its actor ambiguous.
            for (index, token) in user.user.apiTokens.enumerated() {
                unique.claim(
                    "API token digest", token.sha256, at: user.location(of: "/spec/apiTokens/\(index)/sha256"),
                    by: owner + " (token \(NodeReader.quoted(token.name)))")
            }
        }
        errors += unique.errors
        self.errors = errors.sorted()
    }

    /// The configuration to run, with each app's secret resolved by `resolveSecret` (the source
    /// reads environment variables and files); fails with every problem at once.
    public func snapshot(
        revision: String, resolveSecret: (SecretRef) -> Result<String, SecretResolutionError>,
        generatedSecret: (String) -> String? = { _ in nil }
    ) -> Result<ConfigSnapshot, ManifestErrors> {
        var errors = self.errors
        var resolved: [App] = []
        for app in apps {
            guard let secret = app.secret else {
                // No secret in the manifest: the server generated one once and kept it.
                if let generated = generatedSecret(app.name) {
                    resolved.append(app.app(secret: generated))
                } else {
                    errors.append(
                        ManifestError(
                            "no secret given and no generated one available (the server generates it when it applies)",
                            at: app.location(of: "/spec")))
                }
                continue
            }
            switch resolveSecret(secret) {
            case .success(let value): resolved.append(app.app(secret: value))
            case .failure(let error): errors.append(ManifestError(error.message, at: app.location(of: "/spec/secret")))
            }
        }
        guard errors.isEmpty else { return .failure(ManifestErrors(errors)) }
        return .success(ConfigSnapshot(apps: resolved, users: users.map(\.user), revision: revision))
    }

    /// Names of the apps that give no secret and need a generated one.
    public var appsWithoutSecret: [String] { apps.filter { $0.secret == nil }.map(\.name) }
}

/// Remembers the first owner of each value per kind of identifier and reports later claims.
private struct UniquenessCheck {
    private var owners: [String: [String: (owner: String, location: ManifestLocation)]] = [:]
    private(set) var errors: [ManifestError] = []

    mutating func claim(_ what: String, _ value: String, at location: ManifestLocation, by owner: String) {
        guard !value.isEmpty else { return }
        if let first = owners[what]?[value] {
            let message =
                "duplicate \(what) \(NodeReader.quoted(value)) (already used by \(first.owner) at \(first.location))"
            errors.append(ManifestError(message, at: location))
        } else {
            owners[what, default: [:]][value] = (owner, location)
        }
    }
}
