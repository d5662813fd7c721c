import BelfryManifest

/// The JSON form of an `App` in the `appliedConfig.apps` column.
///
/// The property names are the stored keys: renaming one, or adding a non-optional one, breaks
/// databases already on disk, so it needs a migration that rewrites the column.
struct StoredApp: Codable, Sendable {
    var name: String
    var id: String
    var key: String
    /// The resolved secret, stored so the server can start before the source answers.
    var secret: String
    var enabled: Bool
    var allowedOrigins: [String]
    var clientEvents: Bool
    var userAuthentication: Bool
    var limits: Limits
    var webhooks: [Webhook]

    /// The limits by manifest name. `nil` (unlimited) of the first three is stored as an absent
    /// key and read back as `nil`, as rows written before the others existed did; every other
    /// limit is written as a number or `null` (unlimited), and read back as its default when
    /// absent (a row from an older version).
    struct Limits: Codable, Sendable {
        var limits: App.Limits

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// Stored as absent when unlimited since the first version of the table.
        private static let legacy: Set<App.Limits.Field> = [
            .maxConnections, .clientEventsPerSecond, .backendEventsPerSecond,
        ]

        init(_ limits: App.Limits) { self.limits = limits }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            var limits = App.Limits()
            for field in App.Limits.Field.allCases {
                let key = Key(stringValue: field.rawValue)
                if container.contains(key) {
                    limits[field] = try container.decodeIfPresent(Int.self, forKey: key)
                } else if Self.legacy.contains(field) {
                    limits[field] = nil
                }
            }
            let abuse = Key(stringValue: "disconnectOnAbuse")
            limits.disconnectOnAbuse = try container.decodeIfPresent(Bool.self, forKey: abuse) ?? false
            self.limits = limits
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for field in App.Limits.Field.allCases {
                let key = Key(stringValue: field.rawValue)
                if Self.legacy.contains(field) {
                    try container.encodeIfPresent(limits[field], forKey: key)
                } else {
                    try container.encode(limits[field], forKey: key)
                }
            }
            try container.encode(limits.disconnectOnAbuse, forKey: Key(stringValue: "disconnectOnAbuse"))
        }
    }

    /// Filters, headers and batching came later: optional, absent in older rows.
    struct Webhook: Codable, Sendable {
        var url: String
        var events: [String]
        var channelPrefix: String?
        var channelSuffix: String?
        var headers: [Header]?
        var batch: Bool?

        struct Header: Codable, Sendable {
            var name: String
            var value: String
        }

        init(_ hook: App.Webhook) {
            url = hook.url
            events = hook.events
            channelPrefix = hook.filter.channelPrefix
            channelSuffix = hook.filter.channelSuffix
            headers = hook.headers.isEmpty ? nil : hook.headers.map { Header(name: $0.name, value: $0.value) }
            batch = hook.batch ? true : nil
        }

        var webhook: App.Webhook {
            App.Webhook(
                url: url, events: events, filter: .init(channelPrefix: channelPrefix, channelSuffix: channelSuffix),
                headers: (headers ?? []).map { App.Webhook.Header(name: $0.name, value: $0.value) },
                batch: batch ?? false)
        }
    }

    init(_ app: App) {
        name = app.name
        id = app.id
        key = app.key
        secret = app.secret
        enabled = app.enabled
        allowedOrigins = app.allowedOrigins
        clientEvents = app.clientEvents
        userAuthentication = app.userAuthentication
        limits = Limits(app.limits)
        webhooks = app.webhooks.map(Webhook.init)
    }

    var app: App {
        App(
            name: name, id: id, key: key, secret: secret, enabled: enabled, allowedOrigins: allowedOrigins,
            clientEvents: clientEvents, userAuthentication: userAuthentication,
            limits: limits.limits,
            webhooks: webhooks.map(\.webhook))
    }
}
