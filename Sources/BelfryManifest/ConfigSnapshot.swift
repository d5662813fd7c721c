/// The whole configuration the server runs with, indexed for the lookups done per connection
/// and per request. Immutable: a reload builds a new snapshot and swaps it in one assignment.
public struct ConfigSnapshot: Sendable {
    public let apps: [App]
    public let users: [User]
    /// Where the configuration came from (a directory path now, a git revision later).
    public let revision: String
    @usableFromInline let byKey: [String: Int]
    @usableFromInline let byID: [String: Int]

    /// Builds a snapshot; the caller has already checked that ids and keys are unique
    /// (`ManifestSet.snapshot` does). Later duplicates are ignored.
    public init(apps: [App], users: [User] = [], revision: String = "") {
        self.apps = apps
        self.users = users
        self.revision = revision
        var byKey: [String: Int] = [:]
        var byID: [String: Int] = [:]
        for (index, app) in apps.enumerated() {
            if byKey[app.key] == nil { byKey[app.key] = index }
            if byID[app.id] == nil { byID[app.id] = index }
        }
        self.byKey = byKey
        self.byID = byID
    }

    public static let empty = ConfigSnapshot(apps: [])

    /// The same configuration with each app's retiring secrets (by app name) attached.
    public func withRetiringSecrets(_ retiring: [String: [App.RetiringSecret]]) -> ConfigSnapshot {
        guard !retiring.isEmpty || apps.contains(where: { !$0.retiringSecrets.isEmpty }) else { return self }
        return ConfigSnapshot(
            apps: apps.map { app in
                var app = app
                app.retiringSecrets = retiring[app.name] ?? []
                return app
            }, users: users, revision: revision)
    }

    /// A copy of the app with this key (`withApp` reads one in place).
    public func app(key: String) -> App? { withApp(key: key) { copy $0 } }
    public func app(id: String) -> App? { withApp(id: id) { copy $0 } }

    /// What `read` takes from the app with this key, read in place: an `App` is a large value
    /// (strings, limits, webhooks), and a copy retains and releases each of its fields.
    @inlinable
    public func withApp<T>(key: String, _ read: (borrowing App) -> T) -> T? {
        guard let index = byKey[key] else { return nil }
        // Through the buffer: `apps[index]` would hand `read` a copy.
        return apps.withUnsafeBufferPointer { read($0[index]) }
    }

    /// What `read` takes from the app with this id, read in place (see `withApp(key:_:)`).
    @inlinable
    public func withApp<T>(id: String, _ read: (borrowing App) -> T) -> T? {
        guard let index = byID[id] else { return nil }
        return apps.withUnsafeBufferPointer { read($0[index]) }
    }
}
