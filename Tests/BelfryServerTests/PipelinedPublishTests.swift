import BelfryManifest
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import PusherProtocol
import Testing

@testable import BelfryServer

/// Pipelined HTTP publishes read together: every one is answered in order, and a subscriber gets
/// all of their events in one flush at the end of the tick, not one flush per publish.
@Suite struct PipelinedPublishTests {
    let app = App(name: "a", id: "1", key: "key", secret: "secret")

    private func signedEvent(_ name: String) -> String { signedEventRequest(name, app: app) }

    /// An HTTP connection and a subscriber of channel `c` on one event loop.
    private func setUp() throws -> (EmbeddedEventLoop, EmbeddedChannel, EmbeddedChannel, Connection) {
        let loop = EmbeddedEventLoop()
        let context = ServerContext(
            store: ConfigStore(ConfigSnapshot(apps: [app])), options: ServerOptions(), logger: Logger(label: "test"),
            loopIndices: [:])
        let subscriberChannel = EmbeddedChannel(loop: loop)
        let subscriber = Connection(
            socketID: "1.1", appID: app.id, transport: ChannelTransport(subscriberChannel), loopIndex: 0,
            maxBacklog: 1 << 20)
        context.hubs.hub(for: app.id).subscribe(subscriber, channel: "c")
        let http = EmbeddedChannel(handler: HTTPHandler(context: context), loop: loop)
        return (loop, http, subscriberChannel, subscriber)
    }

    @Test func pipelinedPublishesShareOneFlushPerSubscriber() throws {
        let (loop, http, subscriberChannel, subscriber) = try setUp()
        try http.writeInbound(ByteBuffer(string: signedEvent("one") + signedEvent("two") + signedEvent("three")))

        var responses = ""
        while let part = try http.readOutbound(as: ByteBuffer.self) { responses += String(buffer: part) }
        #expect(responses.components(separatedBy: "HTTP/1.1 200 OK").count == 4, "\(responses)")
        // Written, not yet flushed: the tick is not over.
        #expect(subscriber.flushPending)
        #expect(try subscriberChannel.readOutbound(as: ByteBuffer.self) == nil)

        loop.run()
        var events: [String] = []
        while let frame = try subscriberChannel.readOutbound(as: ByteBuffer.self) {
            events.append(String(buffer: frame))
        }
        #expect(events.count == 3)
        #expect(zip(events, ["one", "two", "three"]).allSatisfy { $0.contains("\"event\":\"\($1)\"") }, "\(events)")
    }

    /// A single publish is still flushed at once (the lowest latency when nothing is pipelined).
    @Test func aLonePublishIsFlushedAtOnce() throws {
        let (loop, http, subscriberChannel, _) = try setUp()
        try http.writeInbound(ByteBuffer(string: signedEvent("alone")))
        let frame = try #require(try subscriberChannel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: frame).contains("\"event\":\"alone\""))
        loop.run()
    }
}

/// An HTTP connection that stays silent (idle keep-alive, or a request that stopped half-way) is
/// closed after `httpIdleTimeout`; one that keeps sending is not, and an upgraded one never is.
@Suite struct HTTPIdleTimeoutTests {
    private func channel(timeout: Double) throws -> (EmbeddedEventLoop, EmbeddedChannel) {
        var options = ServerOptions()
        options.httpIdleTimeout = timeout
        let app = App(name: "a", id: "1", key: "key", secret: "secret")
        let context = ServerContext(
            store: ConfigStore(ConfigSnapshot(apps: [app])), options: options, logger: Logger(label: "test"),
            loopIndices: [:])
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(handler: HTTPHandler(context: context), loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (loop, channel)
    }

    @Test func aSilentConnectionIsClosed() throws {
        let (loop, channel) = try channel(timeout: 60)
        try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\n"))  // stops half-way
        loop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aConnectionThatKeepsSendingStaysOpen() throws {
        let (loop, channel) = try channel(timeout: 60)
        for _ in 0..<5 {
            loop.advanceTime(by: .seconds(40))
            try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\n\r\n"))
        }
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(61))
        #expect(!channel.isActive)
    }

    @Test func anUpgradedConnectionIsLeftToTheWebSocketTimers() throws {
        let (loop, channel) = try channel(timeout: 60)
        try channel.writeInbound(
            ByteBuffer(
                string: "GET /app/key?protocol=7 HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))
        var written = ""
        while let part = try channel.readOutbound(as: ByteBuffer.self) { written += String(buffer: part) }
        #expect(written.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"), "\(written)")
        #expect(written.contains("pusher:connection_established"))
        loop.advanceTime(by: .seconds(90))
        #expect(channel.isActive)
    }
}
