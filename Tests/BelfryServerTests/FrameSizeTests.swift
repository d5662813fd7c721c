import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import BelfryServer

/// The sizes statistics count are those of the frames NIO's encoder really writes.
@Suite struct FrameSizeTests {
    @Test(arguments: [0, 1, 125, 126, 127, 65_535, 65_536, 70_000])
    func sizesMatchTheEncodedFrames(length: Int) throws {
        for masked in [false, true] {
            let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
            let payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: length)
            let mask: WebSocketMaskingKey? = masked ? WebSocketMaskingKey([1, 2, 3, 4]) : nil
            try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .text, maskKey: mask, data: payload))
            var written = 0
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { written += buffer.readableBytes }
            let expected = masked ? FrameSize.client(payload: length) : FrameSize.server(payload: length)
            #expect(written == expected, "payload \(length), masked \(masked)")
            _ = try channel.finish()
        }
    }

    @Test func headersAreTwoFourOrTenBytesPlusTheMask() {
        #expect(FrameSize.header(payload: 125, masked: false) == 2)
        #expect(FrameSize.header(payload: 126, masked: false) == 4)
        #expect(FrameSize.header(payload: 65_535, masked: true) == 8)
        #expect(FrameSize.header(payload: 65_536, masked: false) == 10)
    }
}
