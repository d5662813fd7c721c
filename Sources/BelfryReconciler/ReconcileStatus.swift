import NIOConcurrencyHelpers

/// What the reconciler reports about itself: the newest pass, the last applied revision and how
/// many passes in a row failed to read the source or to save what they would apply.
public struct ReconcileStatus: Sendable, Equatable {
    public var lastPass: PassRecord?
    public var lastAppliedRevision: String?
    public var consecutiveFailures = 0
}

/// The status behind a lock; written once per pass.
final class LockedState: Sendable {
    private let box = NIOLockedValueBox(ReconcileStatus())

    var status: ReconcileStatus { box.withLockedValue { $0 } }

    func seed(appliedRevision: String?) {
        box.withLockedValue { $0.lastAppliedRevision = appliedRevision }
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
