import BelfryJSON
import Crypto
import PusherProtocol

/// The configuration as JSON, for the internal API (`/internal/v1/state`, `/internal/v1/apply`).
/// `state` carries digests only (of app secrets and of users' password hashes); `apply` carries
/// the secrets and hashes the server needs.
extension ConfigSnapshot {
    public enum SecretMode: Sendable {
        /// `"secret": "…"`: only for `apply`, over the authenticated admin port.
        case include
        /// `"secretDigest": "sha256:…"` and `"passwordHashDigest": "sha256:…"`: enough to tell
        /// whether a secret or a password hash changed.
        case digest
    }

    /// `sha256:<hex>` of a secret or a password hash, as `state` reports it.
    public static func digest(_ secret: String) -> String {
        "sha256:" + Hex.encode(SHA256.hash(data: Array(secret.utf8)))
    }

    public func json(secrets: SecretMode) -> JSONValue {
        .object([
            ("revision", .string(revision)),
            ("apps", .array(apps.map { $0.json(secrets: secrets) })),
            ("users", .array(users.map { $0.json(secrets: secrets) })),
        ])
    }

    /// Whether a secret has the shape of `digest(_:)`: such a value came from `state` and is
    /// never taken as a secret.
    public static func looksLikeDigest(_ secret: String) -> Bool {
        secret.hasPrefix("sha256:") && secret.utf8.count == 71
            && secret.utf8.dropFirst(7).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Decodes what `json(secrets:)` wrote. With `.include` every app must carry `secret` and a
    /// user's hash is its `passwordHash`; a `secretDigest` or `passwordHashDigest` is taken in
    /// their place only with `.digest` (a user without either decodes with an empty hash).
    public init?(json: JSONValue, secrets: SecretMode = .digest) {
        guard let apps = json["apps"]?.arrayValue, let users = json["users"]?.arrayValue else { return nil }
        var decodedApps: [App] = []
        for app in apps {
            guard let decoded = App(json: app, secrets: secrets) else { return nil }
            decodedApps.append(decoded)
        }
        let decodedUsers = users.compactMap { user -> User? in
            guard let name = user["name"]?.stringValue, let email = user["email"]?.stringValue else { return nil }
            var hash = user["passwordHash"]?.stringValue
            if case .digest = secrets, hash == nil { hash = user["passwordHashDigest"]?.stringValue }
            let tokens = (user["apiTokens"]?.arrayValue ?? []).compactMap { token -> APIToken? in
                guard let name = token["name"]?.stringValue, let digest = token["sha256"]?.stringValue else {
                    return nil
                }
                return APIToken(name: name, sha256: digest)
            }
            return User(name: name, email: email, passwordHash: hash ?? "", apiTokens: tokens)
        }
        self.init(apps: decodedApps, users: decodedUsers, revision: json["revision"]?.stringValue ?? "")
    }
}

extension User {
    func json(secrets: ConfigSnapshot.SecretMode) -> JSONValue {
        var fields: [(String, JSONValue)] = [("name", .string(name)), ("email", .string(email))]
        switch secrets {
        case .include: fields.append(("passwordHash", .string(passwordHash)))
        case .digest: fields.append(("passwordHashDigest", .string(ConfigSnapshot.digest(passwordHash))))
        }
        // Token digests are in the manifest already, and a plan needs them to see a revocation.
        if !apiTokens.isEmpty { fields.append(("apiTokens", .array(apiTokens.map(\.json)))) }
        return .object(fields)
    }
}

extension APIToken {
    /// The manifest's shape: `{name, sha256}`.
    var json: JSONValue { .object([("name", .string(name)), ("sha256", .string(sha256))]) }
}

extension App {
    func json(secrets: ConfigSnapshot.SecretMode) -> JSONValue {
        let secretField: (String, JSONValue) =
            switch secrets {
            case .include: ("secret", .string(secret))
            case .digest: ("secretDigest", .string(ConfigSnapshot.digest(secret)))
            }
        return .object([
            ("name", .string(name)), ("id", .string(id)), ("key", .string(key)), secretField,
            ("enabled", .bool(enabled)), ("allowedOrigins", .array(allowedOrigins.map { .string($0) })),
            ("clientEvents", .bool(clientEvents)), ("userAuthentication", .bool(userAuthentication)),
            ("limits", self.limits.json),
            ("webhooks", .array(webhooks.map(\.json))),
        ])
    }

    init?(json: JSONValue, secrets: ConfigSnapshot.SecretMode) {
        let secret: String?
        switch secrets {
        case .include: secret = json["secret"]?.stringValue
        case .digest: secret = json["secret"]?.stringValue ?? json["secretDigest"]?.stringValue
        }
        guard let name = json["name"]?.stringValue, let id = json["id"]?.stringValue,
            let key = json["key"]?.stringValue, let secret
        else { return nil }
        self.init(
            name: name, id: id, key: key, secret: secret, enabled: json["enabled"] != .bool(false),
            allowedOrigins: json["allowedOrigins"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            clientEvents: json["clientEvents"] == .bool(true),
            userAuthentication: json["userAuthentication"] == .bool(true),
            limits: Limits(json: json["limits"]),
            webhooks: (json["webhooks"]?.arrayValue ?? []).compactMap(Webhook.init(json:)))
    }
}

extension App.Webhook {
    /// The manifest's shape: `url`, `events`, and `filter`, `headers`, `batch` when set.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("url", .string(url)), ("events", .array(events.map { .string($0) }))]
        var filterFields: [(String, JSONValue)] = []
        if let prefix = filter.channelPrefix { filterFields.append(("channelPrefix", .string(prefix))) }
        if let suffix = filter.channelSuffix { filterFields.append(("channelSuffix", .string(suffix))) }
        if !filterFields.isEmpty { fields.append(("filter", .object(filterFields))) }
        if !headers.isEmpty { fields.append(("headers", .object(headers.map { ($0.name, .string($0.value)) }))) }
        if batch { fields.append(("batch", .bool(true))) }
        return .object(fields)
    }

    /// Reads `json`; nil without a `url`. Configurations saved before filters, headers and
    /// batching had none of them.
    public init?(json: JSONValue) {
        guard let url = json["url"]?.stringValue else { return nil }
        var headers: [Header] = []
        if case .object(let pairs)? = json["headers"] {
            for (name, value) in pairs {
                if let value = value.stringValue { headers.append(Header(name: name, value: value)) }
            }
        }
        self.init(
            url: url, events: json["events"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            filter: Filter(
                channelPrefix: json["filter"]?["channelPrefix"]?.stringValue,
                channelSuffix: json["filter"]?["channelSuffix"]?.stringValue),
            headers: headers, batch: json["batch"] == .bool(true))
    }
}

extension App.Limits {
    /// Every limit, `null` for unlimited, so a reader tells unlimited from absent (the default).
    var json: JSONValue {
        var fields: [(String, JSONValue)] = Field.allCases.map { field in
            (field.rawValue, self[field].map { .number(String($0)) } ?? .null)
        }
        fields.append(("disconnectOnAbuse", .bool(disconnectOnAbuse)))
        return .object(fields)
    }

    /// Reads what `json` wrote; an absent field (JSON from an older version) takes its default.
    init(json: JSONValue?) {
        self.init()
        for field in Field.allCases {
            guard let value = json?[field.rawValue] else { continue }
            self[field] = value.intValue
        }
        disconnectOnAbuse = json?["disconnectOnAbuse"] == .bool(true)
    }
}
