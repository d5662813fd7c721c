import BelfryJSON
import BelfryManifest
import Testing

@testable import BelfryPlan

/// The summary line, the terraform-like text, the JSON shape and the pull-request Markdown.
@Suite struct RenderingTests {
    /// Adds chat, raises dashboard's connection limit, removes bob.
    private let small = plan(
        current: ([dashboard()], [alice, bob]),
        desired: ([chat(), dashboard { $0.limits.maxConnections = 10000 }], [alice]))

    @Test func summaryLineCountsAndNamesTheSource() {
        #expect(
            small.summary == "Plan: 1 to add, 1 to change, 1 to delete. Source: main@9f77800 \"raise limits\" by Alice")
    }

    @Test func summaryWithoutSourceIsTheCountsAlone() {
        let result = plan(current: ([dashboard()], []), desired: ([], []), source: nil, allowEmpty: true)
        #expect(result.summary == "Plan: 0 to add, 0 to change, 1 to delete.")
    }

    @Test func sourceKeepsOnlyTheSubjectsFirstLineAndDropsControlCharacters() {
        let source = Plan.Source(branch: "main", revision: "./config", subject: "fix\u{1B}[31m\nbody", author: " Bob ")
        #expect(source.description == "main@./config \"fix[31m\" by Bob")
    }

    @Test func smallTextRendering() {
        #expect(
            small.renderText() == """
                + App chat
                    + spec.id: "1001"
                    + spec.key: "chat-key"
                    + spec.secret: (set)
                    + spec.enabled: true
                    + spec.allowedOrigins: []
                    + spec.clientEvents: true
                    + spec.userAuthentication: false
                    + spec.limits.maxConnections: unlimited
                    + spec.limits.maxConnectionsPerAddress: 1000
                    + spec.limits.connectionsPerSecondPerAddress: 100
                    + spec.limits.maxChannelsPerConnection: 200
                    + spec.limits.subscriptionsPerSecond: 100
                    + spec.limits.clientEventsPerSecond: 10
                    + spec.limits.backendEventsPerSecond: unlimited
                    + spec.limits.apiRequestsPerSecond: unlimited
                    + spec.limits.maxMessageBytes: 10240
                    + spec.limits.maxPresenceMembers: 100
                    + spec.limits.maxPresenceInfoBytes: 1024
                    + spec.limits.disconnectOnAbuse: false
                ~ App dashboard
                    ~ spec.limits.maxConnections: 5000 → 10000
                - User bob

                Plan: 1 to add, 1 to change, 1 to delete. Source: main@9f77800 "raise limits" by Alice

                """)
    }

    @Test func closingConnectionsAndRefusalsAreShown() {
        let result = plan(current: ([chat()], []), desired: ([], []))
        #expect(
            result.renderText() == """
                - App chat
                    ! live connections closed with 4001 (Application deleted)

                Plan: 0 to add, 0 to change, 1 to delete. Source: main@9f77800 "raise limits" by Alice
                Refused: the plan deletes every App on the server. Allow an empty configuration to apply it.

                """)
    }

    @Test func noChangesNamesWhatTheServerMatches() {
        let result = plan(current: ([chat()], [alice]), desired: ([chat()], [alice]))
        #expect(result.renderText() == "No changes. The server matches main@9f77800.\n")
        let anonymous = plan(current: ([], []), desired: ([], []), source: nil)
        #expect(anonymous.renderText() == "No changes. The server matches the desired configuration.\n")
    }

    @Test func jsonParsesBackWithTheDocumentedKeys() throws {
        let json = try JSONParser.parse(small.renderJSON())
        guard case .object(let members) = json else {
            Issue.record("not an object")
            return
        }
        #expect(
            members.map(\.0) == [
                "summary", "hasChanges", "source", "refusal", "changes", "effects", "endedSessions", "counts",
            ])
        #expect(json["summary"]?.stringValue == small.summary)
        #expect(json["hasChanges"] == .bool(true))
        #expect(json["source"]?["branch"]?.stringValue == "main")
        #expect(json["source"]?["shortRevision"]?.stringValue == "9f77800")
        #expect(json["source"]?["author"]?.stringValue == "Alice")
        #expect(json["refusal"] == .null)
        #expect(json["counts"]?["add"]?.intValue == 1)
        #expect(json["counts"]?["change"]?.intValue == 1)
        #expect(json["counts"]?["delete"]?.intValue == 1)
        #expect(json["endedSessions"] == .array([.string("bob")]))
        let changes = try #require(json["changes"]?.arrayValue)
        #expect(
            changes.map {
                "\($0["action"]?.stringValue ?? "") \($0["kind"]?.stringValue ?? "") \($0["name"]?.stringValue ?? "")"
            }
                == ["create App chat", "update App dashboard", "unchanged User alice", "delete User bob"])
        let field = try #require(changes[1]["fields"]?.arrayValue?.first)
        #expect(field["path"]?.stringValue == "spec.limits.maxConnections")
        #expect(field["old"]?.intValue == 5000)
        #expect(field["new"]?.intValue == 10000)
        #expect(field["sensitive"] == .bool(false))
    }

    @Test func jsonEffectsCarryCodeReasonAndDrop() throws {
        let result = plan(current: ([chat(), dashboard()], []), desired: ([dashboard { $0.enabled = false }], []))
        let effects = try #require(try JSONParser.parse(result.renderJSON())["effects"]?.arrayValue)
        #expect(
            effects == [
                .object([
                    ("app", .string("chat")), ("appID", .string("1001")), ("action", .string("closeAll")),
                    ("code", .number("4001")), ("reason", .string("Application deleted")),
                    ("dropChannels", .bool(true)),
                ]),
                .object([
                    ("app", .string("dashboard")), ("appID", .string("1002")), ("action", .string("closeAll")),
                    ("code", .number("4003")), ("reason", .string("Application disabled")),
                    ("dropChannels", .bool(false)),
                ]),
            ])
    }

    @Test func markdownHasHeadingDiffBlockAndSummary() {
        let result = plan(
            current: ([dashboard()], [alice, bob]), desired: ([dashboard { $0.limits.maxConnections = 10000 }], [alice])
        )
        #expect(
            result.renderMarkdown() == """
                ### Belfry plan for main@9f77800

                ```diff
                ! App dashboard
                    ! spec.limits.maxConnections: 5000 → 10000
                - User bob
                ```

                **Plan: 0 to add, 1 to change, 1 to delete.** Source: main@9f77800 "raise limits" by Alice

                """)
    }

    @Test func markdownEscapesCommitTextAndOutrunsBackticksInTheBlock() {
        let source = Plan.Source(
            branch: "main", revision: "abc", subject: "<img src=x> [link](http://e)", author: "@eve")
        let result = plan(current: ([], []), desired: ([chat { $0.allowedOrigins = ["```"] }], []), source: source)
        let markdown = result.renderMarkdown()
        #expect(markdown.contains("\\<img src=x\\> \\[link\\](http://e)"))
        #expect(markdown.contains("by \\@eve"))
        #expect(markdown.contains("````diff\n"))
    }

    @Test func markdownWithoutChanges() {
        let result = plan(current: ([chat()], []), desired: ([chat()], []))
        #expect(
            result.renderMarkdown()
                == "### Belfry plan for main@9f77800\n\nNo changes. The server matches main@9f77800.\n")
    }

    /// A directory source's label reads as written: only Markdown's own characters are escaped.
    @Test func markdownLeavesAPathAsWritten() {
        let source = Plan.Source(revision: "dir:/tmp/pr/proposed")
        let result = plan(current: ([chat()], []), desired: ([chat { $0.enabled = false }], []), source: source)
        let markdown = result.renderMarkdown()
        #expect(markdown.hasPrefix("### Belfry plan for dir:/tmp/pr/proposed\n\n"))
        #expect(markdown.hasSuffix("Source: dir:/tmp/pr/proposed\n"))
    }

    @Test(arguments: [
        ("dir:/tmp/pr_1/my-config.d", "dir:/tmp/pr_1/my-config.d"),
        ("fix *all* the _things_ `now`", "fix \\*all\\* the \\_things\\_ \\`now\\`"),
        ("a & b ~~c~~ $x$ #", "a \\& b \\~\\~c\\~\\~ \\$x\\$ \\#"),
        ("back\\slash <b>", "back\\\\slash \\<b\\>"),
        ("mail alice@example.com, ping @bob", "mail alice@example.com, ping \\@bob"),
    ])
    func markdownEscapesOnlyWhatMarkdownReads(text: String, escaped: String) {
        #expect(Plan.escaped(text) == escaped)
    }
}
