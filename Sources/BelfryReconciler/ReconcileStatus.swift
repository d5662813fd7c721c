import BelfryManifest
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
    private let passes = NIOLockedValueBox(Passes())
    private let applied = NIOLockedValueBox<ConfigSnapshot?>(nil)

    /// Passes started and finished, and who waits for one to finish.
    private struct Passes {
        var started = 0
        var finished = 0
        var nextWaiter = 0
        /// The newest pass that applied a change, with its number.
        var lastApplied: (number: Int, record: PassRecord)?
        var waiters: [Int: (until: Int, continuation: CheckedContinuation<PassRecord?, Never>)] = [:]
    }

    var status: ReconcileStatus { box.withLockedValue { $0 } }

    func passStarted() { passes.withLockedValue { $0.started += 1 } }

    /// The number of the first pass that starts from now on (a pass running now read the source
    /// before whatever the caller just wrote).
    var nextPassNumber: Int { passes.withLockedValue { $0.started + 1 } }

    /// Waits until pass number `number` has finished (its record, or a later one's), at most
    /// `timeout`; nil when it has not.
    func waitForPass(_ number: Int, timeout: Duration) async -> PassRecord? {
        let id = passes.withLockedValue { passes -> Int in
            passes.nextWaiter += 1
            return passes.nextWaiter
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.resume(id, with: nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let done: PassRecord?? = passes.withLockedValue { passes in
                if passes.finished >= number { return .some(status.lastPass) }
                passes.waiters[id] = (number, continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// The newest pass numbered `first` or later that applied a change, if any.
    func appliedPass(since first: Int) -> PassRecord? {
        passes.withLockedValue { passes in
            passes.lastApplied.flatMap { $0.number >= first ? $0.record : nil }
        }
    }

    private func resume(_ id: Int, with record: PassRecord?) {
        let waiter = passes.withLockedValue { $0.waiters.removeValue(forKey: id) }
        waiter?.continuation.resume(returning: record)
    }

    func seed(appliedRevision: String?, configuration: ConfigSnapshot?) {
        box.withLockedValue { $0.lastAppliedRevision = appliedRevision }
        applied.withLockedValue { $0 = configuration }
    }

    /// The configuration the newest applying pass gave the server (or the one it started with):
    /// drift is the server differing from it.
    var appliedConfiguration: ConfigSnapshot? {
        get { applied.withLockedValue { $0 } }
        set { applied.withLockedValue { $0 = newValue } }
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
        let due = passes.withLockedValue { passes -> [CheckedContinuation<PassRecord?, Never>] in
            passes.finished += 1
            let finished = passes.finished
            if record.result == .applied { passes.lastApplied = (finished, record) }
            let due = passes.waiters.filter { $0.value.until <= finished }
            for id in due.keys { passes.waiters[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in due { continuation.resume(returning: record) }
    }
}
