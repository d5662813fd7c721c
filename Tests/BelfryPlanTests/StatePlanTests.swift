import BelfryJSON
import BelfryManifest
import BelfryPlan
import Testing

/// `belfry reconcile` plans against `/internal/v1/state`, which reports digests, never secrets or
/// password hashes: the desired side is digested the same way before the two are compared.
@Suite struct StatePlanTests {
    /// The server's state as `belfry reconcile` reads it back from the internal API.
    static func state(_ apps: [App], _ users: [User]) throws -> ConfigSnapshot {
        let text = ConfigSnapshot(apps: apps, users: users).json(secrets: .digest).serialized
        return try #require(ConfigSnapshot(json: try JSONParser.parse(text)))
    }

    static func planAgainstState(current: ([App], [User]), desired: ([App], [User])) throws -> Plan {
        let state = try state(current.0, current.1)
        let desired = ConfigSnapshot(apps: desired.0, users: desired.1).digested(against: state)
        return Plan(desired: desired, current: state, source: mainSource)
    }

    @Test func aPasswordHashChangeAloneIsPlannedMasked() throws {
        let rotated = User(name: "alice", email: "alice@example.com", passwordHash: Sensitive.newAliceHash)
        let result = try Self.planAgainstState(current: ([chat()], [alice]), desired: ([chat()], [rotated]))
        #expect(result.hasChanges)
        #expect(result.renderText().contains("~ User alice\n    ~ spec.passwordHash: (changed)\n"))
        for output in [result.renderText(), result.renderJSON(), result.renderMarkdown()] {
            #expect(!output.contains(Sensitive.aliceHash) && !output.contains(Sensitive.newAliceHash))
        }
    }

    @Test func unchangedSecretsAndHashesPlanNothing() throws {
        let result = try Self.planAgainstState(current: ([chat()], [alice, bob]), desired: ([chat()], [alice, bob]))
        #expect(!result.hasChanges)
    }

    @Test func aServerWithoutHashDigestsIsNotShownAsChangingEveryUser() throws {
        let old = ConfigSnapshot(
            apps: [], users: [User(name: "alice", email: "alice@example.com", passwordHash: "")])
        let desired = ConfigSnapshot(apps: [], users: [alice]).digested(against: old)
        #expect(!Plan(desired: desired, current: old).hasChanges)
    }
}
