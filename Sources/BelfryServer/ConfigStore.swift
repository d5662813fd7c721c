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

    /// Replaces the snapshot; connections see the new one on their next lookup.
    public func replace(with snapshot: ConfigSnapshot) {
        box.withLockedValue { $0 = snapshot }
    }
}
