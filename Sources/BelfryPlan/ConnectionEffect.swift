import BelfryManifest

/// What applying the plan does to one app's live connections, for the server to carry out.
/// Apps that keep their connections still get an entry (`.none`) when they are created or changed;
/// unchanged apps get none.
public struct ConnectionEffect: Sendable, Equatable {
    /// The action on live connections; everything else applies by swapping the configuration.
    public enum Action: Sendable, Equatable {
        /// Keep live connections. A created app is live at once; a rotated key is refused for new
        /// connections only; secrets, origins and limits apply from the next handshake or message.
        case none
        /// Close every live connection with a Pusher close code; `dropChannels` also forgets the
        /// app's channels, presence members and pending webhooks.
        case closeAll(code: UInt16, reason: String, dropChannels: Bool)

        /// An app turned `enabled: false`: 4003, which pusher-js does not retry unchanged.
        public static let disabled = Action.closeAll(code: 4003, reason: "Application disabled", dropChannels: false)
        /// An app removed from git: 4001, its channels dropped.
        public static let deleted = Action.closeAll(code: 4001, reason: "Application deleted", dropChannels: true)
        /// An app's `spec.id` changed: connections and channels belong to the old id, which is gone.
        public static let idChanged = Action.closeAll(
            code: 4001, reason: "Application id changed", dropChannels: true)
    }

    /// The app id the live connections were opened under (the current one).
    public let appID: String
    /// The app's `metadata.name`.
    public let appName: String
    /// What the server does to them.
    public let action: Action

    /// An effect for the app with this id and name.
    public init(appID: String, appName: String, action: Action) {
        self.appID = appID
        self.appName = appName
        self.action = action
    }

    /// The effect of changing `old` into `new`: `nil` is a create, `new == nil` a delete.
    static func of(old: App?, new: App?) -> ConnectionEffect? {
        switch (old, new) {
        case (nil, let new?):
            return ConnectionEffect(appID: new.id, appName: new.name, action: .none)
        case (let old?, nil):
            return ConnectionEffect(appID: old.id, appName: old.name, action: .deleted)
        case (let old?, let new?) where old != new:
            let action: Action
            if old.enabled && !new.enabled {
                action = .disabled
            } else if old.enabled && old.id != new.id {
                action = .idChanged
            } else {
                action = .none
            }
            return ConnectionEffect(appID: old.id, appName: old.name, action: action)
        default:
            return nil
        }
    }
}
