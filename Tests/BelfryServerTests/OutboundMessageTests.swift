import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import BelfryServer

/// The pre-encoded fan-out frame: a WebSocket decoder reads back exactly the payload, and a real
/// pipeline sends it as one buffer below the frame encoder.
@Suite struct OutboundMessageTests {
    @Test(arguments: [0, 5, 125, 126, 200, 65_535, 65_536, 70_000])
    func frameDecodesToThePayload(length: Int) throws {
        let text = String(repeating: "x", count: length)
        let message = OutboundMessage(payload: ByteBuffer(string: text))
        let headerLength = length <= 125 ? 2 : length <= 65_535 ? 4 : 10
        #expect(message.frame.readableBytes == headerLength + length)

        let decoder = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        try decoder.writeInbound(message.frame)
        let frame = try #require(try decoder.readInbound(as: WebSocketFrame.self))
        #expect(frame.fin && frame.opcode == .text && frame.maskKey == nil)
        #expect(String(buffer: frame.data) == text)
    }

    @Test func fanOutWritesOneBufferBelowTheEncoder() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        let connection = Connection(socketID: "1.1", appID: "1", channel: channel, loopIndex: 0, maxBacklog: 1 << 20)
        let message = OutboundMessage(payload: ByteBuffer(string: "{\"event\":\"e\"}"))
        FanOut.deliver(message.payload, to: [[connection]])
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(written == message.frame)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }

    @Test func laterPublishesInOneTickShareTheEndOfTickFlush() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        let connection = Connection(socketID: "1.1", appID: "1", channel: channel, loopIndex: 0, maxBacklog: 1 << 20)
        let first = OutboundMessage(payload: ByteBuffer(string: "first"))
        let second = OutboundMessage(payload: ByteBuffer(string: "second"))
        FanOut.deliver(first.payload, to: [[connection]])  // the tick's first: flushed at once
        #expect(try channel.readOutbound(as: ByteBuffer.self) == first.frame)
        FanOut.deliver(second.payload, to: [[connection]])  // same tick: waits for the batch
        #expect(connection.flushPending)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == second.frame)
        #expect(!connection.flushPending)
        let third = OutboundMessage(payload: ByteBuffer(string: "third"))
        FanOut.deliver(third.payload, to: [[connection]])  // a new tick: at once again
        #expect(try channel.readOutbound(as: ByteBuffer.self) == third.frame)
    }

    @Test func singleSendsStillGoThroughTheEncoder() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        let connection = Connection(socketID: "1.1", appID: "1", channel: channel, loopIndex: 0, maxBacklog: 1 << 20)
        connection.send("hi")
        var bytes = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&part) }
        #expect(bytes == OutboundMessage(payload: ByteBuffer(string: "hi")).frame)
    }
}
