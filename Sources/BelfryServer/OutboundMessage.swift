import NIOCore

/// A text message encoded once for many sockets.
///
/// Fan-out writes `frame` (the complete, unmasked WebSocket frame: header and payload in one
/// buffer shared by every subscriber) from each session's context, so a delivery costs one
/// buffer reference and one syscall instead of a pipeline walk and a header allocation.
struct OutboundMessage {
    let frame: ByteBuffer

    init(payload: ByteBuffer, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.frame = ServerFrame.encode(.text, payload, allocator: allocator)
    }
}
