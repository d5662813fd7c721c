import BelfryManifest
import BelfryPlan
import Testing

/// Objects are matched by kind and `metadata.name`; each gets exactly one action.
@Suite struct ChangeDetectionTests {
    @Test func newAppIsCreatedWithEveryField() {
        let result = plan(current: ([], [alice]), desired: ([chat()], [alice]))
        let change = result.change(.app, "chat")
        #expect(change?.action == .create)
        #expect(change?.fields.allSatisfy { $0.old == nil } == true)
        #expect(
            change?.fields.map(\.path) == [
                "spec.id", "spec.key", "spec.secret", "spec.enabled", "spec.allowedOrigins", "spec.clientEvents",
                "spec.userAuthentication", "spec.limits.maxConnections", "spec.limits.maxConnectionsPerAddress",
                "spec.limits.connectionsPerSecondPerAddress", "spec.limits.maxChannelsPerConnection",
                "spec.limits.subscriptionsPerSecond", "spec.limits.clientEventsPerSecond",
                "spec.limits.backendEventsPerSecond", "spec.limits.apiRequestsPerSecond", "spec.limits.maxMessageBytes",
                "spec.limits.maxPresenceMembers", "spec.limits.maxPresenceInfoBytes", "spec.limits.disconnectOnAbuse",
            ])
    }

    @Test func appMissingFromGitIsDeletedWithoutFields() {
        let result = plan(current: ([chat(), dashboard()], []), desired: ([dashboard()], []))
        #expect(result.change(.app, "chat") == ObjectChange(kind: .app, name: "chat", action: .delete))
    }

    @Test func changedAppIsAnUpdateListingOnlyChangedFields() {
        let result = plan(current: ([dashboard()], []), desired: ([dashboard { $0.limits.maxConnections = 10000 }], []))
        #expect(
            result.change(.app, "dashboard")?.fields == [
                FieldChange(path: "spec.limits.maxConnections", old: .int(5000), new: .int(10000))
            ])
        #expect(result.change(.app, "dashboard")?.action == .update)
    }

    @Test func identicalObjectsAreUnchangedAndNoChangesOverall() {
        let result = plan(current: ([chat(), dashboard()], [alice]), desired: ([dashboard(), chat()], [alice]))
        #expect(result.changes.map(\.action) == [.unchanged, .unchanged, .unchanged])
        #expect(!result.hasChanges)
        #expect(result.counts == Plan.Counts(add: 0, change: 0, delete: 0, unchanged: 3))
    }

    @Test func appAndUserWithTheSameNameAreDifferentObjects() {
        let user = User(name: "chat", email: "chat@example.com", passwordHash: Sensitive.aliceHash)
        let result = plan(current: ([chat()], []), desired: ([chat()], [user]))
        #expect(result.change(.app, "chat")?.action == .unchanged)
        #expect(result.change(.user, "chat")?.action == .create)
    }

    @Test func orderIsKindThenNameWhateverTheInputOrder() {
        let result = plan(
            current: ([dashboard(), chat { $0.name = "zulu" }], [bob]),
            desired: ([chat(), dashboard { $0.enabled = false }], [alice]))
        #expect(
            result.changes.map { "\($0.kind.rawValue) \($0.name) \($0.action.rawValue)" } == [
                "App chat create", "App dashboard update", "App zulu delete", "User alice create", "User bob delete",
            ])
        #expect(result.counts == Plan.Counts(add: 2, change: 1, delete: 2, unchanged: 0))
    }

    @Test func userFieldsAreComparedAndPasswordHashMasked() {
        let changed = User(name: "alice", email: "alice@example.org", passwordHash: Sensitive.newAliceHash)
        let result = plan(current: ([], [alice]), desired: ([], [changed]))
        #expect(
            result.change(.user, "alice")?.fields == [
                FieldChange(path: "spec.email", old: .string("alice@example.com"), new: .string("alice@example.org")),
                FieldChange(path: "spec.passwordHash", old: .masked(.set), new: .masked(.changed)),
            ])
        #expect(result.endedSessions == ["alice"])
    }

    @Test func deletedUserSessionsEndButAnEmailChangeKeepsThem() {
        let renamed = User(name: "alice", email: "alice@example.org", passwordHash: Sensitive.aliceHash)
        let result = plan(current: ([], [alice, bob]), desired: ([], [renamed]))
        #expect(result.endedSessions == ["bob"])
    }

    @Test func snapshotRevisionIsTheSourceWhenNoneIsGiven() {
        let result = Plan(
            desired: ConfigSnapshot(apps: [chat()], revision: "9f77800c1d2e3f4a5b6c7d8e9f00112233445566"),
            current: ConfigSnapshot(apps: [chat()]))
        #expect(result.source?.reference == "9f77800")
    }
}
