import BelfryManifest
import NIOConcurrencyHelpers

/// Holds the configuration snapshot the server is running with. Every connection and request
/// looks the current snapshot up here, so a reload is a single assignment.
public final class ConfigStore: Sendable {
    private let box: NIOLockedValueBox<ConfigSnapshot>

    public init(_ snapshot: ConfigSnapshot) {
        self.box = NIOLockedValueBox(snapshot)
    }

    /// The snapshot in force now.
    public var current: ConfigSnapshot { box.withLockedValue { $0 } }

    /// The app with this id in the current snapshot, without copying the snapshot.
    public func app(id: String) -> App? { withApp(id: id) { copy $0 } }

    /// The app with this key in the current snapshot, without copying the snapshot.
    public func app(key: String) -> App? { withApp(key: key) { copy $0 } }

    /// What `read` takes from the app with this key, read in place under the lock (the checks
    /// made on every connect, subscribe and webhook event copy no `App`).
    public func withApp<T>(key: String, _ read: (borrowing App) -> T) -> T? {
        box.withLockedValue { $0.withApp(key: key, read) }
    }

    /// What `read` takes from the app with this id, read in place under the lock.
    public func withApp<T>(id: String, _ read: (borrowing App) -> T) -> T? {
        box.withLockedValue { $0.withApp(id: id, read) }
    }

    /// Replaces the snapshot; connections see the new one on their next lookup.
    public func replace(with snapshot: ConfigSnapshot) {
        box.withLockedValue { $0 = snapshot }
    }
}
