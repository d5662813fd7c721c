import BelfryManifest
import BelfryPlan
import Testing

/// Deleting every App or every User is what a broken render looks like, so it needs `allowEmpty`.
@Suite struct RefusalTests {
    @Test func deletingEveryAppIsRefused() {
        let result = plan(current: ([chat(), dashboard()], [alice]), desired: ([], [alice]))
        #expect(result.refusal == .deletesEverything([.app]))
        #expect(result.hasChanges)
    }

    @Test func deletingEveryUserIsRefused() {
        let result = plan(current: ([chat()], [alice, bob]), desired: ([chat()], []))
        #expect(result.refusal == .deletesEverything([.user]))
    }

    @Test func deletingBothKindsNamesBoth() {
        let result = plan(current: ([chat()], [alice]), desired: ([], []))
        #expect(result.refusal == .deletesEverything([.app, .user]))
        #expect(
            result.refusal?.description
                == "Refused: the plan deletes every App and every User on the server. "
                + "Allow an empty configuration to apply it.")
    }

    @Test func replacingEveryAppUnderNewNamesIsRefused() {
        let result = plan(current: ([chat()], []), desired: ([dashboard()], []))
        #expect(result.refusal == .deletesEverything([.app]))
    }

    @Test func allowEmptyLetsItThrough() {
        let result = plan(current: ([chat()], [alice]), desired: ([], []), allowEmpty: true)
        #expect(result.refusal == nil)
        #expect(result.counts.delete == 2)
    }

    @Test func deletingSomeAppsOrStartingFromNothingIsFine() {
        #expect(plan(current: ([chat(), dashboard()], []), desired: ([chat()], [])).refusal == nil)
        #expect(plan(current: ([], []), desired: ([chat()], [alice])).refusal == nil)
        #expect(plan(current: ([], []), desired: ([], [])).refusal == nil)
    }
}
