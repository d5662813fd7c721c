import Foundation
internal import GRDB

/// A row of `reconcilePass`. Trigger and result are stored as their raw strings.
struct PassRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "reconcilePass"

    enum Columns {
        static let id = Column(CodingKeys.id)
    }

    var id: Int64?
    var startedAt: Double
    var finishedAt: Double
    /// Redundant with the two times, kept so the history can be summarized in SQL.
    var durationMs: Int
    var trigger: String
    var revision: String?
    var shortRevision: String?
    var author: String?
    var message: String?
    var planSummary: String?
    var result: String
    var error: String?

    init(_ pass: ReconcilePass) {
        id = pass.id
        startedAt = pass.startedAt.timeIntervalSince1970
        finishedAt = pass.finishedAt.timeIntervalSince1970
        durationMs = pass.durationMs
        trigger = pass.trigger.rawValue
        revision = pass.revision
        shortRevision = pass.shortRevision
        author = pass.author
        message = pass.message
        planSummary = pass.planSummary
        result = pass.result.rawValue
        error = pass.error
    }

    /// The pass, or `nil` for a trigger or result this version does not know (written by a newer one).
    var pass: ReconcilePass? {
        guard let trigger = ReconcilePass.Trigger(rawValue: trigger),
            let result = ReconcilePass.Outcome(rawValue: result)
        else { return nil }
        return ReconcilePass(
            id: id, startedAt: Date(timeIntervalSince1970: startedAt),
            finishedAt: Date(timeIntervalSince1970: finishedAt),
            trigger: trigger, revision: revision, shortRevision: shortRevision, author: author, message: message,
            planSummary: planSummary, result: result, error: error)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
