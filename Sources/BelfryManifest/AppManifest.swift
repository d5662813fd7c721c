/// A decoded `kind: App` document: an `App` whose secret is still a reference, plus where each
/// field was written so later checks (duplicates, unresolvable secrets) can point at it.
public struct AppManifest: Sendable, Equatable {
    /// `metadata.name`.
    public var name: String
    public var id: String
    public var key: String
    /// `nil` when `spec.secret` is omitted (reported as an error until credentials are generated).
    public var secret: SecretRef?
    public var enabled: Bool
    public var allowedOrigins: [String]
    public var clientEvents: Bool
    public var userAuthentication: Bool
    public var limits: App.Limits
    public var webhooks: [App.Webhook]
    /// Where the document starts (its root mapping).
    public var location: ManifestLocation
    /// Where each field present in the document was written, by JSON pointer.
    public var fieldLocations: [String: ManifestLocation]

    /// A manifest as the decoder builds it; tests and tools may build one directly.
    public init(
        name: String, id: String, key: String, secret: SecretRef?, enabled: Bool = true,
        allowedOrigins: [String] = [], clientEvents: Bool = false, userAuthentication: Bool = false,
        limits: App.Limits = App.Limits(), webhooks: [App.Webhook] = [],
        location: ManifestLocation, fieldLocations: [String: ManifestLocation] = [:]
    ) {
        self.name = name
        self.id = id
        self.key = key
        self.secret = secret
        self.enabled = enabled
        self.allowedOrigins = allowedOrigins
        self.clientEvents = clientEvents
        self.userAuthentication = userAuthentication
        self.limits = limits
        self.webhooks = webhooks
        self.location = location
        self.fieldLocations = fieldLocations
    }

    /// The location of the field at `path` (`/spec/id`), or of the document when it is absent.
    public func location(of path: String) -> ManifestLocation {
        fieldLocations[path] ?? location.with(path: path)
    }

    /// The app as the server runs it, with its secret resolved.
    public func app(secret: String) -> App {
        App(
            name: name, id: id, key: key, secret: secret, enabled: enabled,
            allowedOrigins: allowedOrigins, clientEvents: clientEvents,
            userAuthentication: userAuthentication, limits: limits, webhooks: webhooks
        )
    }
}
