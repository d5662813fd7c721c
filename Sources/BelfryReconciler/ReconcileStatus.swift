import NIOConcurrencyHelpers

/// What the reconciler reports about itself: the newest pass, the last applied revision and how
/// many passes in a row failed to read the source or to save what they would apply.
public struct ReconcileStatus: Sendable, Equatable {
    public var lastPass: PassRecord?
    public var lastAppliedRevision: String?
    public var consecutiveFailures = 0
    /// Where each object of the served configuration is declared (`"App/chat"` → `"chat.yaml:5"`),
    /// from the newest pass that found the source equal to the server; empty until one did.
    public var origins: [String: String] = [:]

    public init(lastPass: PassRecord? = nil, lastAppliedRevision: String? = nil, consecutiveFailures: Int = 0) {
        self.lastPass = lastPass
        self.lastAppliedRevision = lastAppliedRevision
        self.consecutiveFailures = consecutiveFailures
    }
}

extension ReconcileStatus {
    /// What `/readyz` reports about the reconciler (never failing readiness: the node serves its
    /// last good configuration meanwhile): nil while the newest pass applied or found nothing to
    /// do and is recent, else the problem.
    /// - Parameters:
    ///   - now: seconds since 1970, as `PassRecord.startedAt`.
    ///   - interval: the configured seconds between passes; no pass for 3 intervals (plus 5 minutes
    ///     of back-off) is reported as stuck.
    public func readinessProblem(now: Double, interval: Double) -> String? {
        guard let pass = lastPass else { return now.isNaN ? nil : "no pass has finished yet" }
        let serving = lastAppliedRevision.map { "; serving \($0)" } ?? ""
        switch pass.result {
        case .applied, .noChange:
            let age = now - pass.startedAt
            if age > interval * 3 + 300 { return "no reconcile pass for \(Int(age)) s" }
            return nil
        case .unreachable: return "the source is unreachable: \(pass.error ?? "")\(serving)"
        case .invalid: return "revision \(pass.label ?? "?") is invalid\(serving)"
        case .refused: return "revision \(pass.label ?? "?") was refused: \(pass.error ?? "")\(serving)"
        case .failed: return pass.error ?? "the configuration could not be saved"
        case .drift: return pass.error ?? "the server differs from the applied revision"
        }
    }
}

/// The status behind a lock; written once per pass.
final class LockedState: Sendable {
    private let box = NIOLockedValueBox(ReconcileStatus())

    var status: ReconcileStatus { box.withLockedValue { $0 } }

    func seed(appliedRevision: String?) {
        box.withLockedValue { $0.lastAppliedRevision = appliedRevision }
    }

    func setOrigins(_ origins: [String: String]) {
        box.withLockedValue { $0.origins = origins }
    }

    func update(with record: PassRecord) {
        box.withLockedValue { status in
            status.lastPass = record
            if record.result == .applied { status.lastAppliedRevision = record.revision }
            let failed = record.result == .unreachable || record.result == .failed
            status.consecutiveFailures = failed ? status.consecutiveFailures + 1 : 0
        }
    }
}
