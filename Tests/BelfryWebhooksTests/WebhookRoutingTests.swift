import BelfryManifest
import BelfryServer
import BelfryStore
import BelfryWebhooks
import Testing

@Suite struct WebhookRoutingTests {
    private let occupied = WebhookEvent(.channelOccupied, channel: "private-chat", timeMs: 1)
    private let vacated = WebhookEvent(.channelVacated, channel: "public-news", timeMs: 2)
    private let opened = WebhookEvent(.connectionOpened, socketID: "1.2", timeMs: 3)

    private func app(_ webhooks: [App.Webhook]) -> App {
        App(name: "chat", id: "1", key: "k", secret: "s", webhooks: webhooks)
    }

    @Test func eachMatchingEndpointGetsItsOwnCopy() {
        let rows = WebhookRouting.route(
            [occupied, vacated, opened],
            app: app([
                .init(url: "http://a", events: ["channel_occupied", "channel_vacated"]),
                .init(url: "http://b", events: ["channel_vacated", "connection_opened"]),
            ]))
        #expect(
            rows.map { "\($0.url) \($0.name)" } == [
                "http://a channel_occupied", "http://a channel_vacated", "http://b channel_vacated",
                "http://b connection_opened",
            ])
        #expect(rows[0].payload == #"{"name":"channel_occupied","channel":"private-chat"}"#)
        #expect(rows.allSatisfy { $0.app == "chat" })
        #expect(rows.map(\.createdAtMs) == [1, 2, 2, 3])
    }

    @Test func aFilterChangesWhatIsSentAndConnectionEventsPass() {
        let rows = WebhookRouting.route(
            [occupied, vacated, opened],
            app: app([
                .init(
                    url: "http://a", events: ["channel_occupied", "channel_vacated", "connection_opened"],
                    filter: .init(channelPrefix: "private-")),
                .init(
                    url: "http://b", events: ["channel_occupied", "channel_vacated"],
                    filter: .init(channelSuffix: "-news")),
            ]))
        #expect(
            rows.map { "\($0.url) \($0.name)" } == [
                "http://a channel_occupied", "http://b channel_vacated", "http://a connection_opened",
            ])
    }

    @Test func theSameUrlTwiceIsTwoEndpoints() {
        let endpoints = WebhookRouting.endpoints(
            of: app([
                .init(url: "http://a", events: ["channel_occupied"]), .init(url: "http://b", events: []),
                .init(url: "http://a", events: ["channel_occupied"]),
            ]))
        #expect(endpoints.map(\.ref.slot) == [0, 0, 1])
        let rows = WebhookRouting.route([occupied], app: app(endpoints.map(\.webhook)))
        #expect(rows.map { "\($0.url)#\($0.slot)" } == ["http://a#0", "http://a#1"])
    }

    @Test func anAppWithoutEndpointsRoutesNothing() {
        #expect(WebhookRouting.route([occupied], app: app([])).isEmpty)
    }
}
