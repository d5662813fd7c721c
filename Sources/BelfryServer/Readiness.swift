import BelfryJSON

/// `/readyz`: ready only when serving, with a usable configuration and (when the executable
/// supplies it) a writable database. The body names each check so a failing probe says why.
public struct Readiness: Sendable {
    /// A check supplied from outside this module (the database); nil means healthy, else why not.
    public typealias Check = @Sendable () -> String?

    /// Evaluates every check; `extra` is name → problem (nil when fine) and fails readiness,
    /// `notes` are shown (`"degraded: …"`) without failing it: a node that cannot save its
    /// statistics or its configuration still serves, and pulling it from the load balancer
    /// would only move its clients.
    static func evaluate(
        phase: ServerContext.Phase, apps: Int, extra: [(String, Check)], notes: [(String, Check)] = []
    ) -> (Bool, String) {
        var results: [(String, String?)] = []
        switch phase {
        case .running: results.append(("server", nil))
        case .starting: results.append(("server", "starting"))
        case .draining: results.append(("server", "draining"))
        }
        results.append(("config", apps > 0 ? nil : "no app is configured"))
        for (name, check) in extra { results.append((name, check())) }
        let ready = results.allSatisfy { $0.1 == nil }
        for (name, note) in notes { results.append((name, note().map { "degraded: " + $0 })) }
        let checks = results.map { name, problem in "\"\(name)\":\(problem.map { JSONText.quoted($0) } ?? "\"ok\"")" }
        let status = ready ? "ready" : "not ready"
        return (ready, "{\"status\":\"\(status)\",\"checks\":{\(checks.joined(separator: ","))}}")
    }
}
