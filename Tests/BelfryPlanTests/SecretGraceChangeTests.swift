import BelfryManifest
import BelfryPlan
import Testing

/// A rotation's grace period shows in the plan when it starts and when it ends; the former
/// secret itself never does.
@Suite struct SecretGraceChangeTests {
    @Test func aGraceThatStartsOrEndsIsShownWithItsEnd() {
        let rotated = chat {
            $0.secret = "new-secret"
            $0.retiringSecrets = [.init(secret: Sensitive.chatSecret, until: 1_380_444_393)]
        }
        let started = plan(current: ([chat()], []), desired: ([rotated], []))
        let fields = started.change(.app, "chat")?.fields ?? []
        #expect(
            fields.contains(
                FieldChange(
                    path: "previousSecret.validUntil", old: .string("none"), new: .string("2013-09-29T08:46:33Z"))))
        #expect(!started.renderText().contains(Sensitive.chatSecret))
        let ended = plan(current: ([rotated], []), desired: ([chat { $0.secret = "new-secret" }], []))
        #expect(
            ended.change(.app, "chat")?.fields == [
                FieldChange(
                    path: "previousSecret.validUntil", old: .string("2013-09-29T08:46:33Z"), new: .string("none"))
            ])
        #expect(plan(current: ([chat()], []), desired: ([chat()], [])).hasChanges == false)
    }
}
