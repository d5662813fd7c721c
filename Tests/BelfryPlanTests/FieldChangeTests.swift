import BelfryManifest
import BelfryPlan
import Testing

/// One edit of an App and the field change the plan must report for it.
struct AppEdit: Sendable, CustomTestStringConvertible {
    let path: String
    let old: FieldValue?
    let new: FieldValue?
    let edit: @Sendable (inout App) -> Void

    var testDescription: String { path }
}

/// Every App field is compared and reported under its manifest path.
@Suite struct FieldChangeTests {
    static let edits: [AppEdit] = [
        AppEdit(path: "spec.id", old: .string("1001"), new: .string("2001")) { $0.id = "2001" },
        AppEdit(path: "spec.key", old: .string("chat-key"), new: .string("chat-key-2")) { $0.key = "chat-key-2" },
        AppEdit(path: "spec.secret", old: .masked(.set), new: .masked(.changed)) { $0.secret = "another" },
        AppEdit(path: "spec.enabled", old: .bool(true), new: .bool(false)) { $0.enabled = false },
        AppEdit(path: "spec.allowedOrigins", old: .strings([]), new: .strings(["*.example.com"])) {
            $0.allowedOrigins = ["*.example.com"]
        },
        AppEdit(path: "spec.clientEvents", old: .bool(true), new: .bool(false)) { $0.clientEvents = false },
        AppEdit(path: "spec.userAuthentication", old: .bool(false), new: .bool(true)) {
            $0.userAuthentication = true
        },
        AppEdit(path: "spec.limits.maxConnections", old: .unlimited, new: .int(500)) {
            $0.limits.maxConnections = 500
        },
        AppEdit(path: "spec.limits.clientEventsPerSecond", old: .int(10), new: .unlimited) {
            $0.limits.clientEventsPerSecond = nil
        },
        AppEdit(path: "spec.limits.backendEventsPerSecond", old: .unlimited, new: .int(100)) {
            $0.limits.backendEventsPerSecond = 100
        },
        AppEdit(path: "spec.webhooks[0]", old: nil, new: .webhook(url: "https://h.example/a", events: ["member_added"]))
        {
            $0.webhooks = [App.Webhook(url: "https://h.example/a", events: ["member_added"])]
        },
    ]

    @Test(arguments: edits) func eachAppFieldIsReported(_ edit: AppEdit) {
        let result = plan(current: ([chat()], []), desired: ([chat(edit.edit)], []))
        #expect(result.change(.app, "chat")?.action == .update)
        #expect(result.change(.app, "chat")?.fields == [FieldChange(path: edit.path, old: edit.old, new: edit.new)])
    }

    @Test func webhooksAreComparedByPositionAndField() {
        let hook = App.Webhook(url: "https://h.example/a", events: ["channel_occupied"])
        let old = chat { $0.webhooks = [hook, hook] }
        let new = chat {
            $0.webhooks = [App.Webhook(url: "https://h.example/b", events: ["channel_occupied", "channel_vacated"])]
        }
        let result = plan(current: ([old], []), desired: ([new], []))
        #expect(
            result.change(.app, "chat")?.fields == [
                FieldChange(path: "spec.webhooks[0].url", old: .string(hook.url), new: .string("https://h.example/b")),
                FieldChange(
                    path: "spec.webhooks[0].events", old: .strings(["channel_occupied"]),
                    new: .strings(["channel_occupied", "channel_vacated"])),
                FieldChange(path: "spec.webhooks[1]", old: .webhook(url: hook.url, events: hook.events), new: nil),
            ])
    }

    @Test func renamingAnAppIsADeleteAndACreate() {
        let result = plan(
            current: ([chat(), dashboard()], []), desired: ([chat { $0.name = "chat-v2" }, dashboard()], []))
        #expect(result.change(.app, "chat")?.action == .delete)
        #expect(result.change(.app, "chat-v2")?.action == .create)
    }
}
