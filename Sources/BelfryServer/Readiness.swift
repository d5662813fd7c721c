import BelfryJSON

/// `/readyz` on both ports: whether the node should get traffic, with a named result per check.
///
/// A *fatal* check fails readiness (the server is starting or draining, no app is configured,
/// descriptors are exhausted). A *note* is reported (`"degraded: …"`) without failing it: a node
/// that cannot write its database, or whose source is broken while it serves the last good
/// configuration, still serves, and pulling it from the load balancer would only move its
/// clients. The default body is short (`"name":"ok"` or the problem); `?verbose` adds each
/// check's figures.
public enum Readiness {
    /// What one check found: a problem (nil when fine) and its figures for `?verbose`.
    public struct Outcome: Sendable {
        public var problem: String?
        public var detail: [(String, JSONValue)]

        public init(problem: String? = nil, detail: [(String, JSONValue)] = []) {
            self.problem = problem
            self.detail = detail
        }
    }

    /// A named check; `fatal` ones fail readiness, the others are notes.
    public struct Check: Sendable {
        public var name: String
        public var fatal: Bool
        public var run: @Sendable () -> Outcome

        public init(_ name: String, fatal: Bool, run: @escaping @Sendable () -> Outcome) {
            self.name = name
            self.fatal = fatal
            self.run = run
        }
    }

    /// Runs every check in order; returns whether the node is ready and the JSON body.
    static func evaluate(_ checks: [Check], verbose: Bool) -> (ready: Bool, body: String) {
        var ready = true
        var members: [(String, JSONValue)] = []
        for check in checks {
            let outcome = check.run()
            var text = "ok"
            if let problem = outcome.problem {
                if check.fatal { ready = false }
                text = check.fatal ? problem : "degraded: " + problem
            }
            if verbose {
                members.append((check.name, .object([("status", .string(text))] + outcome.detail)))
            } else {
                members.append((check.name, .string(text)))
            }
        }
        let body = JSONValue.object([
            ("status", .string(ready ? "ready" : "not ready")), ("checks", .object(members)),
        ])
        return (ready, body.serialized)
    }
}
