import BelfryManifest
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import BelfryServer

/// The connect path's replies (the 101 with `connection_established`, `subscription_succeeded`)
/// are flushed at the end of the tick, together with the tick's other replies, and never later.
@Suite struct ConnectFlushTests {
    let app = App(name: "a", id: "1", key: "key", secret: "secret")

    private func upgrade(_ loop: EmbeddedEventLoop) throws -> EmbeddedChannel {
        let context = ServerContext(
            store: ConfigStore(ConfigSnapshot(apps: [app])), options: ServerOptions(), logger: Logger(label: "test"),
            loopIndices: [:])
        let channel = EmbeddedChannel(handler: HTTPHandler(context: context), loop: loop)
        try channel.writeInbound(
            ByteBuffer(
                string: "GET /app/key?protocol=7&client=test&version=1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ))
        return channel
    }

    private func flushed(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let part = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: part) }
        return text
    }

    @Test func theUpgradeAndTheSubscribeAreAnsweredAtTheEndOfTheTick() throws {
        let loop = EmbeddedEventLoop()
        let channel = try upgrade(loop)
        #expect(try flushed(channel).isEmpty, "written, not flushed: the tick is not over")
        loop.run()
        let hello = try flushed(channel)
        #expect(hello.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"), "\(hello)")
        #expect(hello.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "\(hello)")
        // The 101 first, then the frame in the same flush.
        let afterHead = try #require(hello.range(of: "\r\n\r\n")).upperBound
        #expect(hello[afterHead...].contains("pusher:connection_established"), "\(hello)")

        let subscribe = Array(#"{"event":"pusher:subscribe","data":{"channel":"c"}}"#.utf8)
        try channel.writeInbound(ByteBuffer(bytes: FrameReaderTests.frame(0x1, subscribe)))
        #expect(try flushed(channel).isEmpty)
        loop.run()
        #expect(try flushed(channel).contains("pusher_internal:subscription_succeeded"))
    }

    @Test func aFanOutInTheSameTickIsNotHeldBack() throws {
        let channel = EmbeddedChannel()
        let connection = Connection(socketID: "1.1", appID: "1", channel: channel, loopIndex: 0, maxBacklog: 1 << 20)
        connection.sendAtEndOfTick("reply")
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        // The tick's first publish still goes out at once, and takes the reply written before it.
        FanOut.deliver(ByteBuffer(string: "event"), to: [[connection]])
        #expect(
            try flushed(channel) == String(buffer: ServerFrame.encode(text: "reply", allocator: channel.allocator))
                + String(buffer: OutboundMessage(payload: ByteBuffer(string: "event")).frame))
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(!connection.flushPending)
    }
}
