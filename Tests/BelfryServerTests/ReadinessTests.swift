import Testing

@testable import BelfryServer

/// `/readyz` is 200 only when every fatal check passes; notes are shown without failing it, and
/// `verbose` adds each check's figures.
@Suite struct ReadinessTests {
    private func check(_ name: String, fatal: Bool, _ problem: String?) -> Readiness.Check {
        Readiness.Check(name, fatal: fatal) { Readiness.Outcome(problem: problem, detail: [("n", .number("1"))]) }
    }

    @Test func readyWhenEverythingPasses() {
        let (ready, body) = Readiness.evaluate(
            [check("server", fatal: true, nil), check("database", fatal: false, nil)], verbose: false)
        #expect(ready)
        #expect(body == #"{"status":"ready","checks":{"server":"ok","database":"ok"}}"#)
    }

    @Test func aFailingFatalCheckIsNamed() {
        let (ready, body) = Readiness.evaluate([check("server", fatal: true, "draining")], verbose: false)
        #expect(!ready && body == #"{"status":"not ready","checks":{"server":"draining"}}"#)
    }

    @Test func notesAreShownWithoutFailing() {
        let (ready, body) = Readiness.evaluate(
            [check("database", fatal: false, "disk full"), check("reconcile", fatal: false, nil)], verbose: false)
        #expect(ready)
        #expect(body == #"{"status":"ready","checks":{"database":"degraded: disk full","reconcile":"ok"}}"#)
    }

    @Test func verboseAddsTheFigures() {
        let (_, body) = Readiness.evaluate([check("capacity", fatal: true, nil)], verbose: true)
        #expect(body == #"{"status":"ready","checks":{"capacity":{"status":"ok","n":1}}}"#)
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
