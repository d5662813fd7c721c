import BelfryJSON
import BelfryManifest
import BelfryPlan
import Testing

/// No rendering ever contains an app secret or a password hash, whatever the change.
@Suite struct SecretMaskingTests {
    static let plans: [(String, Plan)] = [
        ("create", plan(current: ([], []), desired: ([chat()], [alice]))),
        (
            "rotate",
            plan(
                current: ([chat()], [alice]),
                desired: (
                    [chat { $0.secret = Sensitive.rotatedSecret }],
                    [User(name: "alice", email: "a@example.com", passwordHash: Sensitive.newAliceHash)]
                ))
        ),
        ("delete", plan(current: ([chat(), dashboard()], [alice, bob]), desired: ([dashboard()], [bob]))),
    ]

    @Test(arguments: plans.map(\.0)) func renderingsNeverContainSecrets(_ name: String) throws {
        let result = try #require(Self.plans.first { $0.0 == name }?.1)
        let secrets = [Sensitive.chatSecret, Sensitive.rotatedSecret, Sensitive.aliceHash, Sensitive.newAliceHash]
        for output in [result.renderText(), result.renderJSON(), result.renderMarkdown(), "\(result)"] {
            for secret in secrets {
                #expect(!output.contains(secret))
            }
        }
    }

    @Test func rotationShowsChangedAndCreateShowsSet() {
        let rotated = plan(current: ([chat()], []), desired: ([chat { $0.secret = Sensitive.rotatedSecret }], []))
        #expect(rotated.renderText().contains("    ~ spec.secret: (changed)\n"))
        let created = plan(current: ([], []), desired: ([chat()], []))
        #expect(created.renderText().contains("    + spec.secret: (set)\n"))
    }

    @Test func maskedFieldsAreFlaggedSensitiveInJSON() throws {
        let rotated = plan(current: ([chat()], []), desired: ([chat { $0.secret = Sensitive.rotatedSecret }], []))
        let json = try JSONParser.parse(rotated.renderJSON())
        let field = try #require(json["changes"]?.arrayValue?.first?["fields"]?.arrayValue?.first)
        #expect(field["path"] == .string("spec.secret"))
        #expect(field["old"] == .string("(set)"))
        #expect(field["new"] == .string("(changed)"))
        #expect(field["sensitive"] == .bool(true))
    }
}
