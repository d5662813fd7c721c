import Yams

extension NodeReader {
    /// The `spec` of a `kind: App` document; `nil` when the name, id or key is unusable.
    mutating func app(spec node: Node, name: String?, document: ManifestLocation) -> AppManifest? {
        let allowed = [
            "id", "key", "secret", "enabled", "allowedOrigins", "clientEvents", "userAuthentication",
            "limits", "webhooks",
        ]
        guard let fields = fields(node, "/spec", allowed: allowed, required: ["id", "key"]) else { return nil }
        let id = fields["id"].flatMap { string($0, "/spec/id", pattern: ManifestRules.appIDPattern) }
        let key = fields["key"].flatMap { string($0, "/spec/key", pattern: ManifestRules.appKeyPattern) }
        // An omitted secret is generated once by the server (see ManifestSet.snapshot).
        let secret = fields["secret"].flatMap { secretRef($0, "/spec/secret") }
        let origins = fields["allowedOrigins"].flatMap {
            uniqueStrings(
                $0, "/spec/allowedOrigins", pattern: ManifestRules.originPattern, otherwise: ManifestRules.originMessage
            )
        }
        let app = AppManifest(
            name: name ?? "", id: id ?? "", key: key ?? "", secret: secret,
            enabled: fields["enabled"].flatMap { bool($0, "/spec/enabled") } ?? true,
            allowedOrigins: origins ?? [],
            clientEvents: fields["clientEvents"].flatMap { bool($0, "/spec/clientEvents") } ?? false,
            userAuthentication: fields["userAuthentication"].flatMap { bool($0, "/spec/userAuthentication") } ?? false,
            limits: fields["limits"].flatMap { limits($0, "/spec/limits") } ?? App.Limits(),
            webhooks: fields["webhooks"].flatMap { webhooks($0, "/spec/webhooks") } ?? [],
            location: document, fieldLocations: locations
        )
        return name != nil && id != nil && key != nil ? app : nil
    }

    /// `{ value: … }`, `{ env: NAME }` or `{ file: PATH }`: exactly one key.
    mutating func secretRef(_ node: Node, _ path: String) -> SecretRef? {
        let shapes = "{ value: SECRET }, { env: NAME } or { file: PATH }"
        guard node.mapping != nil else {
            fail("must be one of \(shapes), got \(Self.kind(of: node))", node, path)
            return nil
        }
        guard let fields = fields(node, path, allowed: ["value", "env", "file"]) else { return nil }
        guard fields.count == 1, let (name, value) = fields.first else {
            if fields.count > 1 || node.mapping?.isEmpty == true {
                fail("must have exactly one of value, env or file", node, path)
            }
            return nil
        }
        switch name {
        case "value": return nonEmptyString(value, path + "/value").map(SecretRef.value)
        case "env": return string(value, path + "/env", pattern: ManifestRules.envNamePattern).map(SecretRef.env)
        default: return nonEmptyString(value, path + "/file").map(SecretRef.file)
        }
    }

    /// `spec.limits`: an absent limit takes its default (`App.Limits.defaults`), `null` is unlimited.
    mutating func limits(_ node: Node, _ path: String) -> App.Limits? {
        let allowed = App.Limits.Field.allCases.map(\.rawValue) + ["disconnectOnAbuse"]
        guard let fields = fields(node, path, allowed: allowed) else { return nil }
        var limits = App.Limits()
        for field in App.Limits.Field.allCases {
            guard let value = fields[field.rawValue] else { continue }
            if value.scalar != nil, Self.tagName(value) == .null {
                limits[field] = nil
            } else if let n = int(value, "\(path)/\(field.rawValue)", in: field.range) {
                limits[field] = n
            }
        }
        if let abuse = fields["disconnectOnAbuse"].flatMap({ bool($0, path + "/disconnectOnAbuse") }) {
            limits.disconnectOnAbuse = abuse
        }
        return limits
    }

    /// `spec.webhooks`: each an http(s) `url` and a non-empty list of known `events`.
    mutating func webhooks(_ node: Node, _ path: String) -> [App.Webhook]? {
        guard let items = items(node, path) else { return nil }
        var webhooks: [App.Webhook] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)/\(index)"
            let names = ["url", "events"]
            guard let fields = fields(item, itemPath, allowed: names, required: names) else { continue }
            let url = fields["url"].flatMap { string($0, itemPath + "/url", pattern: ManifestRules.webhookURLPattern) }
            let events = fields["events"].flatMap { webhookEvents($0, itemPath + "/events") }
            if let url, let events { webhooks.append(App.Webhook(url: url, events: events)) }
        }
        return webhooks
    }

    /// A non-empty list of unique webhook event names.
    mutating func webhookEvents(_ node: Node, _ path: String) -> [String]? {
        let known = ManifestRules.webhookEvents
        guard let items = items(node, path) else { return nil }
        guard !items.isEmpty else {
            fail("must list at least one event", node, path)
            return nil
        }
        let pattern = "^(" + known.joined(separator: "|") + ")$"
        let message = "is not a webhook event (one of \(known.joined(separator: ", ")))"
        return uniqueStrings(node, path, pattern: pattern, otherwise: message)
    }
}
