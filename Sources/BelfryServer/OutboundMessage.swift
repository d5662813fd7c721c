import NIOCore
import PusherProtocol

/// A text message encoded once for many sockets.
///
/// Fan-out writes `frame` (the complete, unmasked WebSocket frame: header and payload in one
/// buffer shared by every subscriber) from each session's context, so a delivery costs one
/// buffer reference and one syscall instead of a pipeline walk and a header allocation.
struct OutboundMessage {
    let frame: ByteBuffer
    /// The payload's size (what the app's outbound frame bytes count it as).
    let payloadBytes: Int

    init(payload: ByteBuffer, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.frame = ServerFrame.encode(.text, payload, allocator: allocator)
        self.payloadBytes = payload.readableBytes
    }

    /// `pusher:ping` and `pusher:pong`, encoded once for every connection: an idle connection's
    /// ping costs no allocation or encoding.
    static let ping = OutboundMessage(payload: ByteBuffer(string: ServerMessage.ping))
    static let pong = OutboundMessage(payload: ByteBuffer(string: ServerMessage.pong))
}
