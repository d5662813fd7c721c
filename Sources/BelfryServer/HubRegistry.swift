import NIOConcurrencyHelpers

/// The app hubs of this node, created on first use and keyed by app id.
///
/// `@unchecked Sendable`: `hubs` is guarded by `lock`; hubs are themselves thread-safe.
final class HubRegistry: @unchecked Sendable {
    let loops: Int
    private let lock = NIOLock()
    private var hubs: [String: AppHub] = [:]

    let webhooks: WebhookDispatcher?
    let cluster: (any ClusterLink)?

    init(loops: Int, webhooks: WebhookDispatcher? = nil, cluster: (any ClusterLink)? = nil) {
        self.loops = loops
        self.webhooks = webhooks
        self.cluster = cluster
    }

    func hub(for appID: String) -> AppHub {
        lock.withLock {
            if let hub = hubs[appID] { return hub }
            let hub = AppHub(appID: appID, loops: loops, webhooks: webhooks, cluster: cluster)
            hubs[appID] = hub
            return hub
        }
    }

    func existing(_ appID: String) -> AppHub? { lock.withLock { hubs[appID] } }

    /// Forgets a deleted app's hub (its channels, presence and cache go with it).
    func drop(_ appID: String) { _ = lock.withLock { hubs.removeValue(forKey: appID) } }

    var all: [AppHub] { lock.withLock { Array(hubs.values) } }

    var totalConnections: Int { all.reduce(0) { $0 + $1.connectionCount } }
}
