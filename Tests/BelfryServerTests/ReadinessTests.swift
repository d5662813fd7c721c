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

/// The public port's share of descriptors: HTTP only past the soft limit, refused past the hard
/// one, and `/readyz` says so while it lasts.
@Suite struct DescriptorBudgetTests {
    @Test func socketsPastTheLimitsAreDowngradedThenRefused() {
        // 100 descriptors, 20 in use elsewhere, 40 kept free: upgrades up to 40, full HTTP up to
        // 60, a canned answer up to 70, then closed at once.
        let budget = DescriptorBudget(processLimit: 100, inUse: 20, reserve: 40)
        #expect(budget.softLimit == 40 && budget.hardLimit == 60 && budget.triageLimit == 70)
        for _ in 0..<40 { #expect(budget.admit(now: 1) == .open) }
        #expect(budget.allowsUpgrade)
        #expect(budget.readinessProblem(now: 1) == nil)
        for _ in 0..<20 { #expect(budget.admit(now: 1) == .httpOnly) }
        #expect(!budget.allowsUpgrade)
        for _ in 0..<10 { #expect(budget.admit(now: 1) == .triage) }
        #expect(budget.admit(now: 1) == .refuse)
        #expect(budget.status(now: 1).open == 70 && budget.status(now: 1).refused == 11)
        #expect(budget.readinessProblem(now: 1)?.contains("descriptors exhausted") == true)
        for _ in 0..<70 { budget.release() }
        #expect(budget.allowsUpgrade)
        // The pressure is remembered for 10 s after the last refusal, then readiness returns.
        #expect(budget.readinessProblem(now: 2) != nil)
        #expect(budget.readinessProblem(now: 1 + 10_000_000_001) == nil)
    }

    @Test func acceptErrorsAreCounted() {
        let budget = DescriptorBudget(processLimit: 100, inUse: 20, reserve: 20)
        budget.acceptFailed(now: 5)
        #expect(budget.status(now: 5).acceptErrors == 1 && budget.status(now: 5).underPressure)
    }
}

/// A node that cannot write its database still serves: `/readyz` says so and stays 200.
@Suite struct ReadinessNoteTests {
    @Test func notesAreShownWithoutFailing() {
        let (ready, body) = Readiness.evaluate(
            phase: .running, apps: 1, extra: [], notes: [("database", { "disk full" }), ("reconcile", { nil })])
        #expect(ready)
        #expect(body.contains(#""database":"degraded: disk full""#) && body.contains(#""reconcile":"ok""#))
    }
}
