import Foundation

/// One reconcile pass as the history keeps it: what started it, which revision it looked at,
/// what it planned and how it ended.
public struct ReconcilePass: Sendable, Equatable {
    /// What started the pass.
    public enum Trigger: String, Sendable, CaseIterable {
        case interval, webhook, manual, startup, cluster
    }

    /// How the pass ended.
    public enum Outcome: String, Sendable, CaseIterable {
        /// A plan with changes was applied.
        case applied
        /// The desired configuration already matched the server.
        case noChange
        /// The revision's manifests failed validation; the next commit is waited for.
        case invalid
        /// Applying failed; retried with back-off.
        case failed
        /// The plan was refused (a force-push, a safety rule).
        case refused
        /// The server differed from the last applied revision and `--drift warn` left it so.
        case drift
        /// The source could not be reached.
        case unreachable
    }

    /// Assigned by the store when the pass is appended; increases with every pass.
    public var id: Int64?
    public var startedAt: Date
    public var finishedAt: Date
    public var trigger: Trigger
    /// The full revision looked at; `nil` when the source was not reached.
    public var revision: String?
    public var shortRevision: String?
    /// The commit's author and message.
    public var author: String?
    public var message: String?
    /// A one-line summary of the plan, such as `+1 ~2 -0`.
    public var planSummary: String?
    public var result: Outcome
    /// Why the pass did not apply, for `invalid`, `failed`, `refused` and `unreachable`.
    public var error: String?

    /// Whole milliseconds from start to finish.
    public var durationMs: Int {
        Int((finishedAt.timeIntervalSince(startedAt) * 1000).rounded())
    }

    public init(
        id: Int64? = nil, startedAt: Date, finishedAt: Date, trigger: Trigger, revision: String? = nil,
        shortRevision: String? = nil, author: String? = nil, message: String? = nil, planSummary: String? = nil,
        result: Outcome, error: String? = nil
    ) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.trigger = trigger
        self.revision = revision
        self.shortRevision = shortRevision
        self.author = author
        self.message = message
        self.planSummary = planSummary
        self.result = result
        self.error = error
    }
}
