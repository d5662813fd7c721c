import Testing

@testable import BelfryServer

/// Who may use the admin port: open probes and login page, the token or a session for the rest,
/// no rebound names, no cross-site writes.
@Suite struct AdminAccessTests {
    private let access = AdminAccess(allowedHosts: ["admin.internal"], adminToken: "tok", metricsToken: nil)
    private typealias Decision = AdminAccess.Decision

    private func check(
        _ method: String, _ path: String, _ headers: [String: String], access: AdminAccess? = nil
    ) -> Decision {
        (access ?? self.access).check(method: method, path: path) { headers[$0] }
    }

    @Test func probesLoginAndMetricsAreOpen() {
        let host = ["host": "127.0.0.1:9601"]
        for path in ["/healthz", "/readyz", "/metrics", "/login", "/assets/status.css"] {
            #expect(check("GET", path, host) == .allow(as: nil), "\(path)")
        }
        #expect(check("POST", "/login", host) == .allow(as: nil))
    }

    @Test func theAPIWantsTheTokenOrASessionAndAnswers401() {
        let host = ["host": "127.0.0.1:9601"]
        #expect(check("GET", "/api/v1/reconcile", host) == .needsSession(otherwise: .unauthorized))
        #expect(check("POST", "/api/v1/reconcile", host) == .needsSession(otherwise: .unauthorized))
        #expect(
            check("GET", "/api/v1/apps", host.merging(["authorization": "Bearer tok"]) { $1 })
                == .allow(as: .adminToken))
        // A wrong token is not a session's business: still 401 when there is no session.
        #expect(
            check("GET", "/api/v1/apps", host.merging(["authorization": "Bearer no"]) { $1 })
                == .needsSession(otherwise: .unauthorized))
    }

    @Test func theInternalAPIWantsTheTokenOnly() {
        let host = ["host": "127.0.0.1:9601"]
        #expect(check("GET", "/internal/v1/state", host) == .refuse(.adminTokenRequired))
        #expect(
            check("GET", "/internal/v1/state", host.merging(["authorization": "Bearer nope"]) { $1 })
                == .refuse(.adminTokenRequired))
        #expect(
            check("POST", "/internal/v1/apply", host.merging(["authorization": "Bearer tok"]) { $1 })
                == .allow(as: .adminToken))
    }

    @Test func pagesWithoutASessionRedirectToTheLoginPage() {
        let host = ["host": "127.0.0.1:9601"]
        #expect(check("GET", "/", host) == .needsSession(otherwise: .signIn(next: "/")))
        let decision = access.check(method: "GET", path: "/apps/chat", target: "/apps/chat?range=day") { host[$0] }
        #expect(decision == .needsSession(otherwise: .signIn(next: "/apps/chat?range=day")))
        #expect(
            AdminAccess.Refusal.signIn(next: "/apps/chat?range=day").location == "/login?next=/apps/chat%3Frange%3Dday")
        #expect(AdminAccess.Refusal.signIn(next: "/").location == "/login")
        #expect(check("POST", "/logout", host) == .needsSession(otherwise: .signIn(next: "/")))
    }

    @Test func aMetricsTokenClosesMetrics() {
        let closed = AdminAccess(allowedHosts: [], adminToken: "tok", metricsToken: "m")
        let host = ["host": "localhost:9601"]
        #expect(check("GET", "/metrics", host, access: closed) == .needsSession(otherwise: .unauthorized))
        #expect(
            check("GET", "/metrics", host.merging(["authorization": "Bearer m"]) { $1 }, access: closed)
                == .allow(as: .metricsToken))
        #expect(
            check("GET", "/metrics", host.merging(["authorization": "Bearer tok"]) { $1 }, access: closed)
                == .allow(as: .adminToken))
    }

    @Test(arguments: [
        ("127.0.0.1:9601", true), ("localhost", true), ("[::1]:9601", true), ("10.1.2.3", true),
        ("admin.internal:9601", true), ("ADMIN.internal", true), ("attacker.example", false),
        ("127.0.0.1.attacker.example", false), ("", false), ("1.2.3", false),
    ])
    func hostsAreIPLiteralsOrListedNames(host: String, allowed: Bool) {
        let decision = check("GET", "/healthz", ["host": host])
        #expect((decision == .allow(as: nil)) == allowed)
    }

    @Test func crossSiteWritesAreRefusedWhateverTheyCarry() {
        let base = ["host": "127.0.0.1:9601", "authorization": "Bearer tok"]
        let allowed = Decision.allow(as: .adminToken)
        #expect(check("POST", "/api/v1/reconcile", base) == allowed)
        #expect(check("POST", "/api/v1/reconcile", base.merging(["origin": "http://127.0.0.1:9601"]) { $1 }) == allowed)
        #expect(
            check("POST", "/api/v1/reconcile", base.merging(["origin": "https://evil.example"]) { $1 })
                == .refuse(.crossSite))
        #expect(check("POST", "/api/v1/reconcile", base.merging(["origin": "null"]) { $1 }) == .refuse(.crossSite))
        #expect(
            check("POST", "/login", ["host": "127.0.0.1:9601", "sec-fetch-site": "cross-site"]) == .refuse(.crossSite))
        // Reads are not state-changing: an Origin on a GET is fine.
        #expect(check("GET", "/api/v1/reconcile", base.merging(["origin": "https://evil.example"]) { $1 }) == allowed)
    }
}
