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
    private let phase = NIOLockedValueBox(Phase.starting)

    enum Phase: Sendable {
        case starting
        case running
        case draining
    }

    init(store: ConfigStore, options: ServerOptions, logger: Logger, loopIndices: [ObjectIdentifier: Int]) {
        self.store = store
        self.options = options
        self.logger = logger
        self.loopIndices = loopIndices
        self.hubs = HubRegistry(loops: max(loopIndices.count, 1))
    }

    var currentPhase: Phase { phase.withLockedValue { $0 } }
    func enter(_ next: Phase) { phase.withLockedValue { $0 = next } }
}
