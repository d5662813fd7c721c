import BelfryManifest
import Testing

/// Each invalid field gives one located error: file, line and column of the value, its JSON pointer.
@Suite struct FieldErrorTests {
    private static let originPattern = "^(\\*|(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?)$"
    private static let events: String = [
        "channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event", "cache_miss",
        "subscription_count",
    ].joined(separator: ", ")
    private static let bcrypt = "must be a bcrypt hash ($2a$, $2b$ or $2y$, a two-digit cost, $, then 53 characters)"
    private static let hash = "\"$2b$12$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P\""

    static let appCases: [(yaml: String, expected: String)] = [
        (chat(replacing: "id: \"1001\"", with: "id: 1001"), "t.yaml:6:7: error: /spec/id: must be a string (quote it)"),
        (
            chat(replacing: "key: chat-key", with: "key: chat key!"),
            "t.yaml:7:8: error: /spec/key: \"chat key!\" must match ^[A-Za-z0-9_-]{1,128}$"
        ),
        (
            chat(replacing: "name: chat", with: "name: Chat"),
            "t.yaml:4:9: error: /metadata/name: \"Chat\" must match ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
        ),
        (chat(replacing: "  key: chat-key\n", with: ""), "t.yaml:6:3: error: /spec/key: missing required field"),
        (
            chat(replacing: "  secret: { value: chat-secret }\n", with: ""),
            "t.yaml:6:3: error: /spec/secret: spec.secret is required until generated credentials are supported"
        ),
        (
            chat(replacing: "{ value: chat-secret }", with: "{ value: a, env: B }"),
            "t.yaml:8:11: error: /spec/secret: must have exactly one of value, env or file"
        ),
        (
            chat(replacing: "{ value: chat-secret }", with: "chat-secret"),
            "t.yaml:8:11: error: /spec/secret: must be one of { value: SECRET }, { env: NAME } or { file: PATH }, got a string"
        ),
        (
            chat(replacing: "{ value: chat-secret }", with: "{ env: 1BAD }"),
            "t.yaml:8:18: error: /spec/secret/env: \"1BAD\" must match ^[A-Za-z_][A-Za-z0-9_]*$"
        ),
        (
            chatApp + "  limits: { maxConnections: 0 }\n",
            "t.yaml:9:29: error: /spec/limits/maxConnections: must be between 1 and 2147483647"
        ),
        (
            chatApp + "  limits: { clientEventsPerSecond: \"5\" }\n",
            "t.yaml:9:36: error: /spec/limits/clientEventsPerSecond: must be an integer, got a string"
        ),
        (
            chatApp + "  allowedOrigins: [https://example.com]\n",
            "t.yaml:9:20: error: /spec/allowedOrigins/0: \"https://example.com\" must match \(originPattern)"
        ),
        (
            chatApp + "  allowedOrigins: [a.com, a.com]\n",
            "t.yaml:9:27: error: /spec/allowedOrigins/1: duplicate item \"a.com\""
        ),
        (
            chatApp + "  webhooks: [{ url: ftp://x.com, events: [client_event] }]\n",
            "t.yaml:9:21: error: /spec/webhooks/0/url: \"ftp://x.com\" must match ^https?://[^\\s/?#]+([/?#]\\S*)?$"
        ),
        (
            chatApp + "  webhooks: [{ url: http://x.com, events: [channel_joined] }]\n",
            "t.yaml:9:44: error: /spec/webhooks/0/events/0: \"channel_joined\" is not a webhook event (one of \(events))"
        ),
        (
            chatApp + "  webhooks: [{ url: http://x.com }]\n",
            "t.yaml:9:14: error: /spec/webhooks/0/events: missing required field"
        ),
        (
            chat(replacing: "belfry.dev/v1", with: "belfry.dev/v2"),
            "t.yaml:1:13: error: /apiVersion: unsupported apiVersion \"belfry.dev/v2\" (expected belfry.dev/v1)"
        ),
        (
            chat(replacing: "kind: App", with: "kind: Channel"),
            "t.yaml:2:7: error: /kind: unknown kind \"Channel\" (expected App or User)"
        ),
        ("- just\n- a list\n", "t.yaml:1:1: error: must be a mapping, got a list"),
    ]

    @Test(arguments: appCases)
    func invalidAppFieldIsReportedAtItsValue(yaml: String, expected: String) {
        #expect(errorLines(yaml) == [expected])
    }

    static let userCases: [(yaml: String, expected: String)] = [
        (
            aliceUser.replacingOccurrences(of: "alice@example.com", with: "alice.example.com"),
            "t.yaml:6:10: error: /spec/email: \"alice.example.com\" must match ^[^@\\s]+@[^@\\s]+$"
        ),
        (
            aliceUser.replacingOccurrences(of: hash, with: "hunter2"),
            "t.yaml:7:17: error: /spec/passwordHash: \(bcrypt)"
        ),
    ]

    @Test(arguments: userCases)
    func invalidUserFieldIsReportedAtItsValue(yaml: String, expected: String) {
        #expect(errorLines(yaml) == [expected])
    }

    @Test func everyProblemOfADocumentIsReportedInOnePass() {
        let yaml = chat(replacing: "id: \"1001\"", with: "id: 1001") + "  enabled: yes\n  colour: red\n"
        #expect(
            errorLines(yaml) == [
                "t.yaml:6:7: error: /spec/id: must be a string (quote it)",
                "t.yaml:9:12: error: /spec/enabled: must be true or false, got 'yes'",
                "t.yaml:10:3: error: /spec/colour: unknown field",
            ])
    }
}
