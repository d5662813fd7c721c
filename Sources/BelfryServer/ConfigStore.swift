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
    public func app(id: String) -> App? { box.withLockedValue { $0.app(id: id) } }

    /// The app with this key in the current snapshot, without copying the snapshot.
    public func app(key: String) -> App? { box.withLockedValue { $0.app(key: key) } }

    /// Replaces the snapshot; connections see the new one on their next lookup.
    public func replace(with snapshot: ConfigSnapshot) {
        box.withLockedValue { $0 = snapshot }
    }
}
