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

    /// `nil` (unlimited) is stored as an absent key and read back as `nil`, not as the default.
    struct Limits: Codable, Sendable {
        var maxConnections: Int?
        var clientEventsPerSecond: Int?
        var backendEventsPerSecond: Int?
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
        limits = Limits(
            maxConnections: app.limits.maxConnections, clientEventsPerSecond: app.limits.clientEventsPerSecond,
            backendEventsPerSecond: app.limits.backendEventsPerSecond)
        webhooks = app.webhooks.map(Webhook.init)
    }

    var app: App {
        App(
            name: name, id: id, key: key, secret: secret, enabled: enabled, allowedOrigins: allowedOrigins,
            clientEvents: clientEvents, userAuthentication: userAuthentication,
            limits: App.Limits(
                maxConnections: limits.maxConnections, clientEventsPerSecond: limits.clientEventsPerSecond,
                backendEventsPerSecond: limits.backendEventsPerSecond),
            webhooks: webhooks.map(\.webhook))
    }
}
