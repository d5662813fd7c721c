import BelfryManifest
import BelfryPlan
import Testing

/// A token added, removed or replaced in git is a change of its User (so the pass applies it and
/// the revocation takes effect); digests are never shown, and sessions are not ended by it.
@Suite struct APITokenChangeTests {
    private static let ci = APIToken(name: "ci", sha256: String(repeating: "a", count: 64))
    private static func aliceWith(_ tokens: [APIToken]) -> User {
        var user = alice
        user.apiTokens = tokens
        return user
    }

    @Test func anAddedTokenIsSet() {
        let result = plan(current: ([], [alice]), desired: ([], [Self.aliceWith([Self.ci])]))
        #expect(result.hasChanges)
        #expect(
            result.change(.user, "alice")?.fields == [
                FieldChange(path: "spec.apiTokens.ci", old: nil, new: .masked(.set))
            ])
        #expect(result.endedSessions == [])
    }

    @Test func aRemovedTokenIsUnset() {
        let result = plan(current: ([], [Self.aliceWith([Self.ci])]), desired: ([], [alice]))
        #expect(result.change(.user, "alice")?.action == .update)
        #expect(
            result.change(.user, "alice")?.fields == [
                FieldChange(path: "spec.apiTokens.ci", old: .masked(.set), new: nil)
            ])
    }

    @Test func aReplacedTokenIsChangedWithoutShowingDigests() {
        let replaced = APIToken(name: "ci", sha256: String(repeating: "b", count: 64))
        let result = plan(current: ([], [Self.aliceWith([Self.ci])]), desired: ([], [Self.aliceWith([replaced])]))
        #expect(
            result.change(.user, "alice")?.fields == [
                FieldChange(path: "spec.apiTokens.ci", old: .masked(.set), new: .masked(.changed))
            ])
    }

    @Test func theSameTokensAreNoChange() {
        #expect(
            !plan(current: ([], [Self.aliceWith([Self.ci])]), desired: ([], [Self.aliceWith([Self.ci])])).hasChanges)
    }
}
