import Logging
import NIOConcurrencyHelpers

/// What every connection and request handler shares: configuration, hubs, options, lifecycle.
final class ServerContext: Sendable {
    let store: ConfigStore
    let hubs: HubRegistry
    let options: ServerOptions
    let logger: Logger
    /// Maps an event loop (by identity) to its index in the group.
    let loopIndices: [ObjectIdentifier: Int]
    /// The public port's share of the process's descriptors.
    let descriptors: DescriptorBudget
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
        self.loopIndices = loopIndices
        self.hubs = HubRegistry(loops: max(loopIndices.count, 1))
    }

    /// `/readyz`: the phase, the configuration, descriptors, then the executable's checks.
    func readiness() -> (ready: Bool, body: String) {
        let descriptors = self.descriptors
        let check: Readiness.Check = { descriptors.readinessProblem(now: Now.nanoseconds) }
        return Readiness.evaluate(
            phase: currentPhase, apps: store.current.apps.count,
            extra: [("descriptors", check)] + options.readinessChecks, notes: options.readinessNotes)
    }

    var currentPhase: Phase { phase.withLockedValue { $0 } }
    func enter(_ next: Phase) { phase.withLockedValue { $0 = next } }
}
