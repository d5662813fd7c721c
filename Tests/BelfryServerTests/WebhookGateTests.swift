import BelfryManifest
import NIOConcurrencyHelpers
import NIOEmbedded
import PusherProtocol
import Testing

@testable import BelfryServer

/// The webhook semantics hosted Pusher has and peers miss: delayed, cancellable vacate and
/// remove; one cache miss per occupancy; throttled counts on busy channels.
@Suite struct WebhookGateTests {
    private let second: UInt64 = 1_000_000_000

    private func event(_ name: WebhookEvent.Name, _ channel: String = "c", user: String? = nil, count: Int? = nil)
        -> WebhookEvent
    {
        WebhookEvent(name, channel: channel, userID: user, subscriptionCount: count, timeMs: 0)
    }

    @Test func vacatedWaitsThreeSecondsThenGoes() {
        var gate = WebhookGate()
        #expect(gate.pass(event(.channelOccupied), now: 0) == [event(.channelOccupied)])
        #expect(gate.pass(event(.channelVacated), now: 1 * second).isEmpty)
        #expect(gate.due(now: 3 * second).isEmpty)
        #expect(gate.due(now: 4 * second) == [event(.channelVacated)])
        #expect(!gate.hasPending)
    }

    @Test func aQuickReturnSendsNothingAtAll() {
        var gate = WebhookGate()
        _ = gate.pass(event(.channelOccupied), now: 0)
        #expect(gate.pass(event(.channelVacated), now: 1 * second).isEmpty)
        #expect(gate.pass(event(.channelOccupied), now: 2 * second).isEmpty)
        #expect(gate.due(now: 10 * second).isEmpty)
        #expect(gate.pass(event(.memberRemoved, user: "u"), now: 0).isEmpty)
        #expect(gate.pass(event(.memberAdded, user: "v"), now: 1) == [event(.memberAdded, user: "v")])
        #expect(gate.pass(event(.memberAdded, user: "u"), now: 2).isEmpty)
        #expect(gate.due(now: 10 * second).isEmpty)
    }

    @Test func oneCacheMissPerOccupancy() {
        var gate = WebhookGate()
        _ = gate.pass(event(.channelOccupied), now: 0)
        #expect(gate.pass(event(.cacheMiss), now: 0).count == 1)
        #expect(gate.pass(event(.cacheMiss), now: 1).isEmpty)
        _ = gate.pass(event(.channelVacated), now: 2)
        _ = gate.due(now: 4 * second)
        _ = gate.pass(event(.channelOccupied), now: 5 * second)
        #expect(gate.pass(event(.cacheMiss), now: 5 * second).count == 1)
    }

    @Test func countsAboveAHundredAreSentAtMostEveryFiveSeconds() {
        var gate = WebhookGate()
        #expect(gate.pass(event(.subscriptionCount, count: 100), now: 0).count == 1)
        #expect(gate.pass(event(.subscriptionCount, count: 101), now: 1).isEmpty)
        #expect(gate.pass(event(.subscriptionCount, count: 102), now: 2).isEmpty)
        #expect(gate.due(now: 4 * second).isEmpty)
        #expect(gate.due(now: 5 * second) == [event(.subscriptionCount, count: 102)])
        #expect(gate.pass(event(.subscriptionCount, count: 50), now: 5 * second + 1).count == 1)
    }

    @Test func forgettingAChannelDropsItsHeldCountAndCacheMiss() {
        var gate = WebhookGate()
        _ = gate.pass(event(.subscriptionCount, count: 200), now: 0)
        #expect(gate.pass(event(.subscriptionCount, count: 201), now: 1).isEmpty)
        #expect(gate.pass(event(.cacheMiss), now: 1).count == 1)
        #expect(gate.hasPending)
        gate.forget(channel: "c")
        #expect(!gate.hasPending)
        #expect(gate.pass(event(.cacheMiss), now: 2).count == 1, "a new occupancy's cache miss")
        #expect(gate.pass(event(.subscriptionCount, count: 300), now: 3).count == 1, "not throttled by the old one")
    }

    @Test func flushReleasesEverythingHeld() {
        var gate = WebhookGate()
        _ = gate.pass(event(.channelVacated, "a"), now: 0)
        _ = gate.pass(event(.memberRemoved, "p", user: "u"), now: 1)
        #expect(Set(gate.flush().map(\.name)) == [.channelVacated, .memberRemoved])
    }

    @Test func pusherFieldNames() {
        let closed = WebhookEvent(
            .connectionClosed, socketID: "1.2", userID: "u", closeCode: 4200, durationMs: 1500, timeMs: 0)
        #expect(
            closed.json.serialized
                == #"{"name":"connection_closed","socket_id":"1.2","user_id":"u","close_code":4200,"duration_ms":1500}"#
        )
        let client = WebhookEvent(
            .clientEvent, channel: "private-c", event: "client-x", data: "{\"a\":1}", socketID: "1.2", timeMs: 0)
        #expect(
            client.json.serialized
                == #"{"name":"client_event","channel":"private-c","event":"client-x","data":"{\"a\":1}","socket_id":"1.2"}"#
        )
    }
}

/// The hub raises events at the right transitions, through the dispatcher, to the sink.
@Suite struct WebhookRaisingTests {
    final class Recorder: WebhookSink, @unchecked Sendable {
        private let box = NIOLockedValueBox<[WebhookEvent]>([])
        var names: [String] { box.withLockedValue { $0.map(\.name.rawValue) } }
        func accept(appID: String, _ events: [WebhookEvent]) { box.withLockedValue { $0 += events } }
    }

    private func setUp(events: [String]) -> (AppHub, WebhookDispatcher, Recorder) {
        let app = App(
            name: "a", id: "1", key: "k", secret: "s",
            webhooks: [App.Webhook(url: "http://127.0.0.1:1/hook", events: events)])
        let recorder = Recorder()
        let dispatcher = WebhookDispatcher(sink: recorder, store: ConfigStore(ConfigSnapshot(apps: [app])))
        return (AppHub(appID: "1", loops: 1, webhooks: dispatcher), dispatcher, recorder)
    }

    @Test func occupiedVacatedAndOneMemberAddedPerUser() {
        let loop = EmbeddedEventLoop()
        let (hub, dispatcher, recorder) = setUp(events: ["channel_occupied", "member_added", "member_removed"])
        let (a, b) = (EmbeddedChannel(loop: loop), EmbeddedChannel(loop: loop))
        let c1 = Connection(
            socketID: "1.1", appID: "1", transport: ChannelTransport(a), loopIndex: 0, maxBacklog: 1 << 20)
        let c2 = Connection(
            socketID: "1.2", appID: "1", transport: ChannelTransport(b), loopIndex: 0, maxBacklog: 1 << 20)
        let member = PresenceMember(userID: "u", userInfo: nil)
        _ = hub.joinPresence(c1, channel: "presence-r", member: member)
        _ = hub.joinPresence(c2, channel: "presence-r", member: member)
        #expect(recorder.names == ["channel_occupied", "member_added"])
        hub.unsubscribe(c1, channel: "presence-r", presenceUserID: "u")
        hub.unsubscribe(c2, channel: "presence-r", presenceUserID: "u")
        #expect(recorder.names.count == 2)  // held for 3 s
        dispatcher.tick(now: Now.nanoseconds + 4_000_000_000)
        #expect(recorder.names == ["channel_occupied", "member_added", "member_removed", "channel_vacated"])
    }

    /// The dispatcher ticks only while it holds an event: none while idle, every 250 ms from the
    /// first held event until the last is released.
    @Test func ticksOnlyWhileSomethingIsHeld() {
        let loop = EmbeddedEventLoop()
        let (hub, dispatcher, recorder) = setUp(events: ["channel_occupied", "channel_vacated"])
        dispatcher.start(on: loop)
        #expect(!dispatcher.isArmed)
        let connection = Connection(
            socketID: "1.1", appID: "1", transport: ChannelTransport(EmbeddedChannel(loop: loop)), loopIndex: 0,
            maxBacklog: 1 << 20)
        hub.subscribe(connection, channel: "news")
        #expect(!dispatcher.isArmed)  // occupied goes out at once: nothing held
        hub.unsubscribe(connection, channel: "news", presenceUserID: nil)
        #expect(dispatcher.isArmed)  // vacated is held for 3 s
        loop.advanceTime(by: WebhookDispatcher.tickInterval)
        #expect(dispatcher.isArmed && recorder.names == ["channel_occupied"])  // not due yet: ticks on
        dispatcher.tick(now: Now.nanoseconds + 4_000_000_000)
        #expect(recorder.names == ["channel_occupied", "channel_vacated"])
        #expect(!dispatcher.isArmed)
        dispatcher.stop()
        hub.subscribe(connection, channel: "again")
        hub.unsubscribe(connection, channel: "again", presenceUserID: nil)
        #expect(!dispatcher.isArmed)  // stopped: no more ticks
    }

    @Test func busyKindsAreRaisedOnlyWhenAskedFor() {
        let loop = EmbeddedEventLoop()
        let (hub, _, recorder) = setUp(events: ["channel_occupied"])
        let connection = Connection(
            socketID: "1.1", appID: "1", transport: ChannelTransport(EmbeddedChannel(loop: loop)), loopIndex: 0,
            maxBacklog: 1 << 20)
        hub.subscribe(connection, channel: "news")
        #expect(recorder.names == ["channel_occupied"])  // no subscription_count: not asked for
    }
}
