import BelfryJSON

extension ConfigSnapshot {
    /// The configuration as manifest documents (JSON, which is YAML), one file per object, so a
    /// configuration that did not come from files (`/internal/v1/apply`) is checked by exactly the
    /// schemas and rules of `belfry validate`. Secrets become `{ value }`; an empty secret (one
    /// the server generates) is left out, as in a manifest that gives none.
    public func manifestFiles() -> [(path: String, text: String)] {
        var files: [(path: String, text: String)] = []
        for (index, app) in apps.enumerated() {
            var spec: [(String, JSONValue)] = [
                ("id", .string(app.id)), ("key", .string(app.key)),
            ]
            if !app.secret.isEmpty { spec.append(("secret", .object([("value", .string(app.secret))]))) }
            spec.append(("enabled", .bool(app.enabled)))
            if !app.allowedOrigins.isEmpty {
                spec.append(("allowedOrigins", .array(app.allowedOrigins.map { .string($0) })))
            }
            spec.append(("clientEvents", .bool(app.clientEvents)))
            spec.append(("userAuthentication", .bool(app.userAuthentication)))
            spec.append(("limits", app.limits.json))
            if !app.webhooks.isEmpty { spec.append(("webhooks", .array(app.webhooks.map(\.json)))) }
            files.append((path: "apply/app-\(index).json", text: document(kind: "App", name: app.name, spec: spec)))
        }
        for (index, user) in users.enumerated() {
            var spec: [(String, JSONValue)] = [
                ("email", .string(user.email)), ("passwordHash", .string(user.passwordHash)),
            ]
            if !user.apiTokens.isEmpty { spec.append(("apiTokens", .array(user.apiTokens.map(\.json)))) }
            files.append((path: "apply/user-\(index).json", text: document(kind: "User", name: user.name, spec: spec)))
        }
        return files
    }

    private func document(kind: String, name: String, spec: [(String, JSONValue)]) -> String {
        JSONValue.object([
            ("apiVersion", .string("belfry.dev/v1")), ("kind", .string(kind)),
            ("metadata", .object([("name", .string(name))])), ("spec", .object(spec)),
        ]).serialized
    }
}
