import Testing

@testable import BelfryServer

/// `/readyz` is 200 only when every check passes, and its body names the failing one.
@Suite struct ReadinessTests {
    @Test func readyWhenEverythingPasses() {
        let (ready, body) = Readiness.evaluate(phase: .running, apps: 2, extra: [("database", { nil })])
        #expect(ready)
        #expect(body == #"{"status":"ready","checks":{"server":"ok","config":"ok","database":"ok"}}"#)
    }

    @Test func eachFailingCheckIsNamed() {
        let (draining, body) = Readiness.evaluate(phase: .draining, apps: 2, extra: [])
        #expect(!draining && body.contains(#""server":"draining""#))
        let (noApps, body2) = Readiness.evaluate(phase: .running, apps: 0, extra: [])
        #expect(!noApps && body2.contains(#""config":"no app is configured""#))
        let (database, body3) = Readiness.evaluate(
            phase: .running, apps: 1, extra: [("database", { "cannot write to the database: disk full" })])
        #expect(!database && body3.contains(#""database":"cannot write to the database: disk full""#))
    }
}
