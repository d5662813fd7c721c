import BelfryStore
import Foundation
import Testing

@Suite struct HistoryTests {
    static func pass(_ index: Int, result: ReconcilePass.Outcome = .applied) -> ReconcilePass {
        let start = fixedNow.addingTimeInterval(Double(index) * 60)
        return ReconcilePass(
            startedAt: start, finishedAt: start.addingTimeInterval(0.25), trigger: .interval,
            revision: "rev\(index)", result: result)
    }

    @Test func passRoundTripsEveryField() async throws {
        let store = try Store.openInMemory()
        let pass = ReconcilePass(
            startedAt: fixedNow, finishedAt: fixedNow.addingTimeInterval(1.5), trigger: .webhook,
            revision: "8e9d586aa1b2c3d4e5f60718293a4b5c6d7e8f90", shortRevision: "8e9d586",
            author: "Ada <ada@example.com>",
            message: "Add chat app", planSummary: "+1 ~0 -0", result: .failed, error: "apply timed out")
        let stored = try await store.appendPass(pass)
        let id = try #require(stored.id)
        #expect(stored.durationMs == 1500)

        var expected = pass
        expected.id = id
        #expect(try await store.recentPasses() == [expected])
    }

    @Test func passesAreListedNewestFirst() async throws {
        let store = try Store.openInMemory()
        for index in 0..<4 { try await store.appendPass(Self.pass(index)) }
        let passes = try await store.recentPasses(limit: 3)
        #expect(passes.map(\.revision) == ["rev3", "rev2", "rev1"])
        let ids = passes.compactMap(\.id)
        #expect(ids.count == 3 && ids == ids.sorted(by: >))
    }

    @Test func appendingPrunesAllButTheNewest() async throws {
        try await withDatabasePath { path in
            let store = try openStore(path, historyLimit: 3)
            for index in 0..<5 { try await store.appendPass(Self.pass(index)) }
            #expect(try await store.recentPasses(limit: 10).map(\.revision) == ["rev4", "rev3", "rev2"])
            try store.close()

            let reopened = try openStore(path, historyLimit: 3)
            let last = try await reopened.appendPass(Self.pass(5, result: .noChange))
            let passes = try await reopened.recentPasses(limit: 10)
            #expect(passes.map(\.revision) == ["rev5", "rev4", "rev3"])
            #expect(passes.first == last)
            #expect(last.id == 6)  // AUTOINCREMENT: pruned ids are never reused
            try reopened.close()
        }
    }

    @Test(arguments: ReconcilePass.Outcome.allCases)
    func everyResultRoundTrips(result: ReconcilePass.Outcome) async throws {
        let store = try Store.openInMemory()
        for trigger in ReconcilePass.Trigger.allCases {
            var pass = Self.pass(0, result: result)
            pass.trigger = trigger
            try await store.appendPass(pass)
        }
        let passes = try await store.recentPasses()
        #expect(passes.map(\.result) == Array(repeating: result, count: ReconcilePass.Trigger.allCases.count))
        #expect(passes.map(\.trigger) == ReconcilePass.Trigger.allCases.reversed())
    }
}
