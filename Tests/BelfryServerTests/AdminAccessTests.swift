import Testing

@testable import BelfryServer

/// Who may use the admin port: open probes, a token for the rest, no rebound names, no
/// cross-site writes.
@Suite struct AdminAccessTests {
    private let access = AdminAccess(allowedHosts: ["admin.internal"], adminToken: "tok", metricsToken: nil)

    private func check(
        _ method: String, _ path: String, _ headers: [String: String], access: AdminAccess? = nil
    ) -> AdminAccess.Refusal? {
        (access ?? self.access).check(method: method, path: path) { headers[$0] }
    }

    @Test func probesAndMetricsAreOpenEverythingElseNeedsTheToken() {
        let host = ["host": "127.0.0.1:9601"]
        #expect(check("GET", "/healthz", host) == nil)
        #expect(check("GET", "/readyz", host) == nil)
        #expect(check("GET", "/metrics", host) == nil)
        #expect(check("GET", "/api/v1/reconcile", host) == .unauthorized)
        #expect(check("POST", "/api/v1/reconcile", host) == .unauthorized)
        #expect(
            check("GET", "/internal/v1/state", host.merging(["authorization": "Bearer nope"]) { $1 }) == .unauthorized)
        #expect(check("GET", "/api/v1/apps", host.merging(["authorization": "Bearer tok"]) { $1 }) == nil)
    }

    @Test func aMetricsTokenClosesMetrics() {
        let closed = AdminAccess(allowedHosts: [], adminToken: "tok", metricsToken: "m")
        let host = ["host": "localhost:9601"]
        #expect(check("GET", "/metrics", host, access: closed) == .unauthorized)
        #expect(check("GET", "/metrics", host.merging(["authorization": "Bearer m"]) { $1 }, access: closed) == nil)
        #expect(check("GET", "/metrics", host.merging(["authorization": "Bearer tok"]) { $1 }, access: closed) == nil)
    }

    @Test(arguments: [
        ("127.0.0.1:9601", true), ("localhost", true), ("[::1]:9601", true), ("10.1.2.3", true),
        ("admin.internal:9601", true), ("ADMIN.internal", true), ("attacker.example", false),
        ("127.0.0.1.attacker.example", false), ("", false), ("1.2.3", false),
    ])
    func hostsAreIPLiteralsOrListedNames(host: String, allowed: Bool) {
        let refusal = check("GET", "/healthz", ["host": host])
        #expect((refusal == nil) == allowed)
    }

    @Test func crossSiteWritesAreRefusedWhateverTheyCarry() {
        let base = ["host": "127.0.0.1:9601", "authorization": "Bearer tok"]
        #expect(check("POST", "/api/v1/reconcile", base) == nil)
        #expect(check("POST", "/api/v1/reconcile", base.merging(["origin": "http://127.0.0.1:9601"]) { $1 }) == nil)
        #expect(
            check("POST", "/api/v1/reconcile", base.merging(["origin": "https://evil.example"]) { $1 }) == .crossSite)
        #expect(check("POST", "/api/v1/reconcile", base.merging(["origin": "null"]) { $1 }) == .crossSite)
        #expect(
            check("POST", "/api/v1/reconcile", base.merging(["sec-fetch-site": "cross-site"]) { $1 }) == .crossSite)
        // Reads are not state-changing: an Origin on a GET is fine.
        #expect(check("GET", "/api/v1/reconcile", base.merging(["origin": "https://evil.example"]) { $1 }) == nil)
    }
}
