import NIOCore
import NIOWebSocket

/// A text message encoded once for many sockets.
///
/// Fan-out writes `frame` (the complete, unmasked WebSocket frame: header and payload in one
/// buffer shared by every subscriber) below the pipeline's frame encoder, so a delivery costs one
/// buffer reference and one syscall instead of a pipeline walk, a header allocation and a
/// two-buffer `writev`. `payload` is what a pipeline without a frame encoder (tests) is given.
struct OutboundMessage {
    let payload: ByteBuffer
    let frame: ByteBuffer

    init(payload: ByteBuffer, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.payload = payload
        let length = payload.readableBytes
        var frame = allocator.buffer(capacity: length + 10)
        frame.writeInteger(UInt8(0x81))  // FIN + text opcode
        switch length {
        case 0...125:
            frame.writeInteger(UInt8(length))
        case 126...Int(UInt16.max):
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        var body = payload
        frame.writeBuffer(&body)
        self.frame = frame
    }

    /// The same message as a frame value, for pipelines that encode frames themselves.
    var webSocketFrame: WebSocketFrame { WebSocketFrame(fin: true, opcode: .text, data: payload) }
}
