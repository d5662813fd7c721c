import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import BelfryServer

/// The frames the server encodes itself (`ServerFrame`, the pre-encoded fan-out frame): NIO's
/// WebSocket decoder reads back exactly the payload and opcode, and a connection writes each as
/// one buffer.
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
        #expect(ServerFrame.encode(text: text, allocator: decoder.allocator) == message.frame)
    }

    @Test func controlFramesDecodeWithTheirOpcode() throws {
        let decoder = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        let cases: [(FrameReader.Opcode, WebSocketOpcode)] = [
            (.pong, .pong), (.close, .connectionClose), (.ping, .ping),
        ]
        for (ours, nio) in cases {
            try decoder.writeInbound(ServerFrame.encode(ours, ByteBuffer(string: "ab"), allocator: decoder.allocator))
            let frame = try #require(try decoder.readInbound(as: WebSocketFrame.self))
            #expect(frame.fin && frame.opcode == nio && String(buffer: frame.data) == "ab")
        }
    }

    @Test func fanOutWritesOneBuffer() throws {
        let channel = EmbeddedChannel()
        let connection = Connection(
            socketID: "1.1", appID: "1", transport: ChannelTransport(channel), loopIndex: 0, maxBacklog: 1 << 20)
        let payload = ByteBuffer(string: "{\"event\":\"e\"}")
        let message = OutboundMessage(payload: payload)
        FanOut.deliver(payload, to: [[connection]])
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(written == message.frame)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }

    @Test func laterPublishesInOneTickShareTheEndOfTickFlush() throws {
        let channel = EmbeddedChannel()
        let connection = Connection(
            socketID: "1.1", appID: "1", transport: ChannelTransport(channel), loopIndex: 0, maxBacklog: 1 << 20)
        let first = OutboundMessage(payload: ByteBuffer(string: "first"))
        let second = OutboundMessage(payload: ByteBuffer(string: "second"))
        FanOut.deliver(ByteBuffer(string: "first"), to: [[connection]])  // the tick's first: flushed at once
        #expect(try channel.readOutbound(as: ByteBuffer.self) == first.frame)
        FanOut.deliver(ByteBuffer(string: "second"), to: [[connection]])  // same tick: waits for the batch
        #expect(connection.flushPending)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == second.frame)
        #expect(!connection.flushPending)
        let third = OutboundMessage(payload: ByteBuffer(string: "third"))
        FanOut.deliver(ByteBuffer(string: "third"), to: [[connection]])  // a new tick: at once again
        #expect(try channel.readOutbound(as: ByteBuffer.self) == third.frame)
    }

    @Test func aSingleSendIsOneFrameInOneBuffer() throws {
        let channel = EmbeddedChannel()
        let connection = Connection(
            socketID: "1.1", appID: "1", transport: ChannelTransport(channel), loopIndex: 0, maxBacklog: 1 << 20)
        connection.send("hi")
        #expect(
            try channel.readOutbound(as: ByteBuffer.self) == OutboundMessage(payload: ByteBuffer(string: "hi")).frame)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }
}
