import BelfryManifest
import PusherProtocol

/// Applying a new configuration without a restart: one snapshot swap, then only the connections
/// whose app was deleted (4001) or disabled (4003) are closed. Key rotation keeps live sockets
/// (they belong to the app id, not the key); secrets, origins and limits are looked up per
/// handshake or message, so they take effect on the next one.
extension PusherServer {
    /// What an apply did to live connections, per app id.
    public struct ApplyEffects: Sendable, Equatable {
        /// App ids whose connections were closed with 4001 because the app is gone.
        public var deleted: [String] = []
        /// App ids whose connections were closed with 4003 because the app is now disabled.
        public var disabled: [String] = []
        /// Connections closed in total.
        public var closedConnections = 0
    }

    /// Swaps in `snapshot` and closes the connections the change invalidates.
    @discardableResult
    public func apply(_ snapshot: ConfigSnapshot) -> ApplyEffects {
        context.store.replace(with: snapshot)
        var effects = ApplyEffects()
        for hub in context.hubs.all {
            let reason: CloseReason
            if let app = snapshot.app(id: hub.appID) {
                guard !app.enabled else { continue }
                reason = CloseReason(.appDisabled, "Application disabled")
                effects.disabled.append(hub.appID)
            } else {
                reason = CloseReason(.appDoesNotExist, "Application deleted")
                effects.deleted.append(hub.appID)
            }
            let connections = hub.allConnections
            effects.closedConnections += connections.count
            for connection in connections { connection.onLoop { $0.close(reason) } }
            if snapshot.app(id: hub.appID) == nil { context.hubs.drop(hub.appID) }
        }
        effects.deleted.sort()
        effects.disabled.sort()
        context.logger.info(
            "configuration applied",
            metadata: [
                "revision": "\(snapshot.revision)", "apps": LogFields.number(snapshot.apps.count),
                "deleted": .array(effects.deleted.map { .string($0) }),
                "disabled": .array(effects.disabled.map { .string($0) }),
                "closed": LogFields.number(effects.closedConnections),
            ])
        return effects
    }

    /// The configuration being served now.
    public var currentConfiguration: ConfigSnapshot { context.store.current }
}
