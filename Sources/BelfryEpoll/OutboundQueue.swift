import NIOCore

/// The bytes of one socket that the kernel has not taken yet, in order. Buffers are kept as
/// given (a fan-out's shared frame is not copied). Pure.
struct OutboundQueue {
    private var buffers: [ByteBuffer] = []
    /// Index of the first buffer still pending (taken ones are dropped in batches).
    private var head = 0
    private(set) var bytes = 0

    var isEmpty: Bool { head == buffers.count }
    var first: ByteBuffer? { isEmpty ? nil : buffers[head] }

    mutating func append(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        buffers.append(buffer)
        bytes += buffer.readableBytes
    }

    /// The first buffer has been written whole.
    mutating func removeFirst() {
        bytes -= buffers[head].readableBytes
        buffers[head] = ByteBuffer()
        head += 1
        if head == buffers.count {
            buffers.removeAll()
            head = 0
        } else if head >= 64, head * 2 >= buffers.count {
            buffers.removeFirst(head)
            head = 0
        }
    }

    /// The first buffer has been written in part: `rest` is what is left of it.
    mutating func replaceFirst(_ rest: ByteBuffer) {
        bytes -= buffers[head].readableBytes - rest.readableBytes
        buffers[head] = rest
    }

    mutating func removeAll() {
        buffers.removeAll()
        head = 0
        bytes = 0
    }
}
