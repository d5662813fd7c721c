// Runs the documentation's Swift example (Pusher.swift) against a real `belfry serve`:
// tests/docs/test_swift_example.py starts the server and a subscriber, then runs
// `swift test --skip-build --filter DocsExampleTests` with the server's address and credentials in
// PUSHER_* and what to sign in DOCS_*. Without PUSHER_PORT (a plain `swift test`) it is not run.
import AsyncHTTPClient
import Foundation
import Testing

private let env = ProcessInfo.processInfo.environment

@Suite(.enabled(if: env["PUSHER_PORT"] != nil, "run by tests/docs with a server"))
struct DocsExampleTests {
    let pusher = Pusher(
        appID: env["PUSHER_APP_ID"] ?? "", key: env["PUSHER_APP_KEY"] ?? "", secret: env["PUSHER_APP_SECRET"] ?? "",
        baseURL: "http://\(env["PUSHER_HOST"] ?? "127.0.0.1"):\(env["PUSHER_PORT"] ?? "")")

    @Test func triggersAnEventThatTheServerAccepts() async throws {
        let status = try await pusher.trigger(
            channels: [env["DOCS_CHANNEL"] ?? "swift-news"], event: "greeting", data: #"{"from":"swift"}"#,
            client: .shared)
        #expect(status == 200)
        print("DOCS triggered")
    }

    @Test func signsChannelAuthForTheGivenSocket() throws {
        let socketID = try #require(env["DOCS_SOCKET_ID"])
        let channel = try #require(env["DOCS_PRIVATE_CHANNEL"])
        print("DOCS private-auth \(pusher.authorizeChannel(socketID: socketID, channel: channel)["auth"]!)")
        let presence = try pusher.authorizePresence(
            socketID: socketID, channel: try #require(env["DOCS_PRESENCE_CHANNEL"]), userID: "swift-user",
            info: ["name": "Swift"])
        print("DOCS presence-auth \(presence["auth"]!) \(presence["channel_data"]!)")
    }

    @Test func tellsAGenuineWebhookFromAForgedOne() throws {
        let body = Data(try #require(env["DOCS_WEBHOOK_BODY"]).utf8)
        let signature = try #require(env["DOCS_WEBHOOK_SIGNATURE"])
        #expect(pusher.isGenuineWebhook(body: body, key: pusher.key, signature: signature))
        #expect(!pusher.isGenuineWebhook(body: body + Data(" ".utf8), key: pusher.key, signature: signature))
        #expect(!pusher.isGenuineWebhook(body: body, key: "someone-else", signature: signature))
        print("DOCS webhook-checked")
    }
}
