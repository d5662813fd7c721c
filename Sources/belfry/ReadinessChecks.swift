import BelfryJSON
import BelfryReconciler
import BelfryServer
import BelfryWebhooks
import Foundation

/// The executable's `/readyz` checks, after the server's own: the reconciler, the database and
/// the statistics writer. All are notes: they are reported (`degraded: …`) without failing
/// readiness, since the node serves its last good configuration whatever they say.
enum ReadinessChecks {
    static func make(
        reconciler: ReconcilerHandle, interval: Int, database: DatabaseFileWatch, health: DatabaseHealth,
        statsInterval: Int, source: String, webhooks: WebhookMonitor
    ) -> [Readiness.Check] {
        [
            Readiness.Check("reconcile", fatal: false) {
                let status = reconciler.status
                let now = Date().timeIntervalSince1970
                var detail: [(String, JSONValue)] = [("source", .string(source))]
                if let pass = status.lastPass {
                    detail += [
                        ("lastResult", .string(pass.result.rawValue)),
                        ("lastPassAgeSeconds", .number(String(Int(now - pass.startedAt)))),
                        ("sourceReachable", .bool(pass.result != .unreachable)),
                    ]
                    if let label = pass.label { detail.append(("lastAttemptedRevision", .string(label))) }
                }
                if let applied = status.lastAppliedRevision {
                    detail.append(("lastAppliedRevision", .string(applied)))
                }
                detail.append(("consecutiveFailures", .number(String(status.consecutiveFailures))))
                // Before the first pass finishes (start-up) nothing is wrong yet.
                let problem =
                    status.lastPass == nil ? nil : status.readinessProblem(now: now, interval: Double(interval))
                return Readiness.Outcome(problem: problem, detail: detail)
            },
            Readiness.Check("database", fatal: false) {
                Readiness.Outcome(problem: database.problem() ?? health.startupProblem)
            },
            Readiness.Check("statistics", fatal: false) {
                var detail: [(String, JSONValue)] = [("intervalSeconds", .number(String(statsInterval)))]
                var problem = health.current
                if let last = health.lastFlushAt {
                    let age = Int(Date().timeIntervalSince(last))
                    detail.append(("lastFlushAgeSeconds", .number(String(age))))
                    if problem == nil, age > statsInterval * 3 + 10 { problem = "no statistics flush for \(age) s" }
                }
                return Readiness.Outcome(problem: problem, detail: detail)
            },
            Readiness.Check("webhooks", fatal: false) {
                let report = webhooks.report
                var detail: [(String, JSONValue)] = [
                    ("running", .bool(report.running)), ("queued", .number(String(report.queued))),
                ]
                var problem: String? = report.running ? nil : "the delivery worker is not running"
                if let oldest = report.oldestCreatedAtMs {
                    let age = max(0, Int(Date().timeIntervalSince1970) - Int(oldest / 1000))
                    detail.append(("oldestAgeSeconds", .number(String(age))))
                    if problem == nil, age > 60 { problem = "the oldest undelivered webhook event is \(age) s old" }
                }
                let failing = report.endpoints.filter { $0.failures > 0 }.count
                detail.append(("failingEndpoints", .number(String(failing))))
                return Readiness.Outcome(problem: problem, detail: detail)
            },
        ]
    }
}
