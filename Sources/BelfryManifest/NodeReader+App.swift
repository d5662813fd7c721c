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

    /// `spec.webhooks`: each an http(s) `url`, a non-empty list of known `events`, and optionally
    /// a channel `filter`, extra `headers` and `batch`.
    mutating func webhooks(_ node: Node, _ path: String) -> [App.Webhook]? {
        guard let items = items(node, path) else { return nil }
        var webhooks: [App.Webhook] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)/\(index)"
            let names = ["url", "events", "filter", "headers", "batch"]
            guard let fields = fields(item, itemPath, allowed: names, required: ["url", "events"]) else { continue }
            let url = fields["url"].flatMap { string($0, itemPath + "/url", pattern: ManifestRules.webhookURLPattern) }
            let events = fields["events"].flatMap { webhookEvents($0, itemPath + "/events") }
            let filter = fields["filter"].map { webhookFilter($0, itemPath + "/filter") } ?? App.Webhook.Filter()
            let headers = fields["headers"].map { webhookHeaders($0, itemPath + "/headers") } ?? []
            let batch = fields["batch"].flatMap { bool($0, itemPath + "/batch") } ?? false
            if let url, let events, let filter, let headers {
                webhooks.append(App.Webhook(url: url, events: events, filter: filter, headers: headers, batch: batch))
            }
        }
        return webhooks
    }

    /// `filter: {channelPrefix, channelSuffix}`, at least one of them.
    mutating func webhookFilter(_ node: Node, _ path: String) -> App.Webhook.Filter? {
        let names = ["channelPrefix", "channelSuffix"]
        guard let fields = fields(node, path, allowed: names) else { return nil }
        guard !fields.isEmpty else {
            fail("must give channelPrefix, channelSuffix or both", node, path)
            return nil
        }
        func part(_ name: String) -> String? {
            fields[name].flatMap {
                string($0, path + "/" + name, pattern: "^.{1,200}$", otherwise: "must be 1 to 200 characters")
            }
        }
        return App.Webhook.Filter(channelPrefix: part("channelPrefix"), channelSuffix: part("channelSuffix"))
    }

    /// `headers: {Name: value}`: at most 20, names that are HTTP tokens and not set by Belfry
    /// itself, values on one line.
    mutating func webhookHeaders(_ node: Node, _ path: String) -> [App.Webhook.Header]? {
        guard let mapping = node.mapping else {
            fail("must be a mapping of header names to values, got \(Self.kind(of: node))", node, path)
            return nil
        }
        guard mapping.count <= 20 else {
            fail("must have at most 20 headers", node, path)
            return nil
        }
        var headers: [App.Webhook.Header] = []
        var seen: Set<String> = []
        var valid = true
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string else {
                fail("keys must be plain strings", keyNode, path)
                valid = false
                continue
            }
            let childPath = path + "/" + Self.escape(name)
            guard Self.matches(name, ManifestRules.headerNamePattern) else {
                fail(
                    "\(Self.quoted(name)) is not a header name (letters, digits and -, at most 64)", keyNode, childPath)
                valid = false
                continue
            }
            guard !ManifestRules.reservedWebhookHeaders.contains(name.lowercased()) else {
                fail("\(name) is set by Belfry on every webhook request and cannot be replaced", keyNode, childPath)
                valid = false
                continue
            }
            guard seen.insert(name.lowercased()).inserted else {
                fail("duplicate header \(name) (names are case-insensitive)", keyNode, childPath)
                valid = false
                continue
            }
            guard
                let text = string(
                    value, childPath, pattern: ManifestRules.headerValuePattern,
                    otherwise: "must be one line of at most 1024 characters")
            else {
                valid = false
                continue
            }
            headers.append(App.Webhook.Header(name: name, value: text))
        }
        return valid ? headers : nil
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
