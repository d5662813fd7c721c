import BelfryJSON
import Logging
import NIOConcurrencyHelpers

/// What every connection and request handler shares: configuration, hubs, options, lifecycle.
final class ServerContext: Sendable {
    let store: ConfigStore
    let hubs: HubRegistry
    /// Raises webhook events through the 3 s gate; nil when no sink is configured.
    let webhooks: WebhookDispatcher?
    /// The other nodes; nil when this node runs alone.
    let cluster: (any ClusterLink)?
    let options: ServerOptions
    let logger: Logger
    /// Every connection's `connected` and `disconnected` lines.
    let connectionLog: ConnectionLog
    /// Maps an event loop (by identity) to its index in the group.
    let loopIndices: [ObjectIdentifier: Int]
    /// The public port's share of the process's descriptors.
    let descriptors: DescriptorBudget
    /// Open connections and handshake rates per app and client address.
    let addresses = AddressLimiter()
    /// When `acceptFailed` last logged (0: never).
    private let lastAcceptLog = NIOLockedValueBox<UInt64>(0)
    private let phase = NIOLockedValueBox(Phase.starting)

    enum Phase: Sendable {
        case starting
        case running
        case draining
    }

    init(
        store: ConfigStore, options: ServerOptions, logger: Logger, loopIndices: [ObjectIdentifier: Int],
        descriptors: DescriptorBudget = DescriptorBudget(processLimit: 1 << 20, inUse: 0, reserve: 64)
    ) {
        self.descriptors = descriptors
        self.store = store
        self.options = options
        self.logger = logger
        self.connectionLog = ConnectionLog(logger)
        self.loopIndices = loopIndices
        self.webhooks = options.webhookSink.map { WebhookDispatcher(sink: $0, store: store) }
        self.cluster = options.cluster
        self.hubs = HubRegistry(loops: max(loopIndices.count, 1), webhooks: webhooks, cluster: options.cluster)
    }

    /// When the context was made (the process's start, near enough), for `/readyz`'s uptime.
    let createdAt = Now.nanoseconds

    /// `/readyz`: the server's own checks (phase, configuration, capacity), then the executable's.
    func readiness(verbose: Bool) -> (ready: Bool, body: String) {
        Readiness.evaluate(serverChecks + options.readinessChecks, verbose: verbose)
    }

    private var serverChecks: [Readiness.Check] {
        let phase = currentPhase
        let uptime = (Now.nanoseconds - createdAt) / 1_000_000_000
        let snapshot = store.current
        let hubs = self.hubs
        let descriptors = self.descriptors
        var checks = [
            Readiness.Check("server", fatal: true) {
                let name: String
                switch phase {
                case .starting: name = "starting"
                case .running: name = "running"
                case .draining: name = "draining"
                }
                return Readiness.Outcome(
                    problem: phase == .running ? nil : name,
                    detail: [("phase", .string(name)), ("uptimeSeconds", .number(String(uptime)))])
            },
            Readiness.Check("config", fatal: true) {
                Readiness.Outcome(
                    problem: snapshot.apps.isEmpty ? "no app is configured" : nil,
                    detail: [
                        ("revision", .string(snapshot.revision)), ("apps", .number(String(snapshot.apps.count))),
                        ("enabledApps", .number(String(snapshot.apps.filter(\.enabled).count))),
                    ])
            },
            Readiness.Check("capacity", fatal: true) {
                let now = Now.nanoseconds
                let status = descriptors.status(now: now)
                let apps: [JSONValue] = snapshot.apps.map { app in
                    var fields: [(String, JSONValue)] = [
                        ("app", .string(app.name)),
                        ("connections", .number(String(hubs.existing(app.id)?.connectionCount ?? 0))),
                    ]
                    if let limit = app.limits.maxConnections {
                        fields.append(("maxConnections", .number(String(limit))))
                    }
                    return .object(fields)
                }
                return Readiness.Outcome(
                    problem: descriptors.readinessProblem(now: now),
                    detail: [
                        ("connections", .number(String(hubs.totalConnections))), ("apps", .array(apps)),
                        (
                            "descriptors",
                            .object([
                                ("publicSockets", .number(String(status.open))),
                                ("webSocketLimit", .number(String(status.softLimit))),
                                ("processLimit", .number(String(status.processLimit))),
                                ("refused", .number(String(status.refused))),
                                ("acceptErrors", .number(String(status.acceptErrors))),
                            ])
                        ),
                        ("rssBytes", .number(String(ProcessMemory.residentBytes() ?? 0))),
                    ])
            },
        ]
        if let cluster { checks.append(Readiness.Check("cluster", fatal: false) { cluster.readiness() }) }
        return checks
    }

    /// An `accept` on the public port failed (descriptors exhausted): counted, and logged at most
    /// once per 10 s, whichever engine accepts.
    func acceptFailed(_ error: any Error) {
        let now = Now.nanoseconds
        descriptors.acceptFailed(now: now)
        let due = lastAcceptLog.withLockedValue { last in
            guard last == 0 || now &- last >= 10_000_000_000 else { return false }
            last = now
            return true
        }
        guard due else { return }
        let status = descriptors.status(now: now)
        logger.error(
            "cannot accept connections",
            metadata: [
                "error": "\(error)", "public_sockets": "\(status.open)", "process_limit": "\(status.processLimit)",
                "accept_errors": "\(status.acceptErrors)",
            ])
    }

    var currentPhase: Phase { phase.withLockedValue { $0 } }
    func enter(_ next: Phase) { phase.withLockedValue { $0 = next } }
}
