import BelfryManifest
import Testing

/// Each invalid field gives one located error: file, line and column of the value, its JSON pointer.
@Suite struct FieldErrorTests {
    private static let originMessage =
        "must be an origin, scheme://host[:port] without a path (https://shop.example.com, http://localhost:8080), "
        + "or a host pattern (example.com, *.example.com, *)"
    private static let events: String = [
        "channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event", "cache_miss",
        "subscription_count", "connection_opened", "connection_closed",
    ].map { "\"\($0)\"" }.joined(separator: ", ")
    private static let bcrypt = "must be a bcrypt hash ($2a$, $2b$ or $2y$, a two-digit cost, $, then 53 characters)"
    private static let hash = "\"$2b$12$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P\""

    static let appCases: [(yaml: String, expected: String)] = [
        (
            chat(replacing: "id: \"1001\"", with: "id: 1001"),
            "t.yaml:6:7: error: /spec/id: must be a string, got a number (quote it)"
        ),
        (
            chat(replacing: "key: chat-key", with: "key: chat key!"),
            "t.yaml:7:8: error: /spec/key: \"chat key!\" must match pattern ^[A-Za-z0-9_-]{1,128}$"
        ),
        (
            chat(replacing: "name: chat", with: "name: Chat"),
            "t.yaml:4:9: error: /metadata/name: \"Chat\" must match pattern ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
        ),
        (chat(replacing: "  key: chat-key\n", with: ""), "t.yaml:6:3: error: /spec: missing required field \"key\""),
        (
            chat(replacing: "{ value: chat-secret }", with: "{ value: a, env: B }"),
            "t.yaml:8:11: error: /spec/secret: must give the secret exactly one way: "
                + "{ value: … }, { env: NAME } or { file: PATH }"
        ),
        (
            chat(replacing: "{ value: chat-secret }", with: "chat-secret"),
            "t.yaml:8:11: error: /spec/secret: must give the secret exactly one way: { value: … }, { env: NAME } or { file: PATH }, got a string"
        ),
        (
            chat(replacing: "{ value: chat-secret }", with: "{ env: 1BAD }"),
            "t.yaml:8:18: error: /spec/secret/env: \"1BAD\" must match pattern ^[A-Za-z_][A-Za-z0-9_]*$"
        ),
        (
            chatApp + "  limits: { maxConnections: 0 }\n",
            "t.yaml:9:29: error: /spec/limits/maxConnections: must be ≥ 1"
        ),
        (
            chatApp + "  limits: { clientEventsPerSecond: \"5\" }\n",
            "t.yaml:9:36: error: /spec/limits/clientEventsPerSecond: must be an integer or null, got a string"
        ),
        (
            chatApp + "  allowedOrigins: [https://example.com/]\n",
            "t.yaml:9:20: error: /spec/allowedOrigins/0: \"https://example.com/\" \(originMessage)"
        ),
        (
            chatApp + "  allowedOrigins: [\"https://*.example.com\"]\n",
            "t.yaml:9:20: error: /spec/allowedOrigins/0: \"https://*.example.com\" \(originMessage)"
        ),
        (
            chatApp + "  allowedOrigins: [\"http://localhost:65536\"]\n",
            "t.yaml:9:20: error: /spec/allowedOrigins/0: \"http://localhost:65536\" \(originMessage)"
        ),
        (
            chatApp + "  allowedOrigins: [a.com, a.com]\n",
            "t.yaml:9:19: error: /spec/allowedOrigins: must not contain duplicates (items 0 and 1 are equal)"
        ),
        (
            chatApp + "  webhooks: [{ url: ftp://x.com, events: [client_event] }]\n",
            "t.yaml:9:21: error: /spec/webhooks/0/url: \"ftp://x.com\" must match pattern ^https?://[^\\s/?#]+([/?#]\\S*)?$"
        ),
        (
            chatApp + "  webhooks: [{ url: http://x.com, events: [channel_joined] }]\n",
            "t.yaml:9:44: error: /spec/webhooks/0/events/0: must be one of: \(events)"
        ),
        (
            chatApp + "  webhooks: [{ url: http://x.com }]\n",
            "t.yaml:9:14: error: /spec/webhooks/0: missing required field \"events\""
        ),
        (
            chat(replacing: "belfry.dev/v1", with: "belfry.dev/v2"),
            "t.yaml:1:13: error: /apiVersion: must be \"belfry.dev/v1\""
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
            "t.yaml:6:10: error: /spec/email: \"alice.example.com\" must match pattern ^[^@\\s]+@[^@\\s]+$"
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
                "t.yaml:6:7: error: /spec/id: must be a string, got a number (quote it)",
                "t.yaml:9:12: error: /spec/enabled: must be a boolean, got a string "
                    + "(write true or false; YAML 1.1 words like yes/off and quoted \"true\" are strings)",
                "t.yaml:10:3: error: /spec/colour: unknown field \"colour\"",
            ])
    }
}
