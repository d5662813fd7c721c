import NIOCore

/// Where a connection's frames go: the socket under it, whatever serves that socket. Frames
/// arrive encoded (`ServerFrame`); a transport only writes, flushes and closes. Everything is
/// called on `eventLoop`.
///
/// Today a NIO channel serves every socket (`ChannelHandlerContext` below, `ChannelTransport` for
/// a bare channel); the seam is here so that a socket served by BelfryEpoll can carry a
/// connection too (BENCHMARKS.md, issue 18's sixth step). Class-bound, so a connection holds it in
/// 16 bytes.
protocol ConnectionTransport: AnyObject {
    var eventLoop: EventLoop { get }
    /// Below the socket's high-water mark: what is written now is not held back.
    var isWritable: Bool { get }
    /// Queues a frame; the next `flushFrames` sends it.
    func writeFrame(_ frame: ByteBuffer)
    func flushFrames()
    func writeFrameAndFlush(_ frame: ByteBuffer)
    /// Writes and flushes a text frame of `text`: encoded straight into the socket's own buffer
    /// by a transport that has one, into a buffer of its own otherwise.
    func writeTextFrameAndFlush(_ text: String)
    /// Writes and flushes `frame`, then closes once it is written (or could not be).
    func writeFrameThenClose(_ frame: ByteBuffer)
    /// Closes after `delay`, unless the socket has closed by then.
    func close(after delay: TimeAmount)
    /// Closes now; what is still queued is dropped.
    func closeNow()
    /// The peer's address, also once closed (for log lines and the per-address count).
    var remoteAddress: SocketAddress? { get }
    /// Stops reading the socket until `resumeReading` (a client that does not read its answers).
    func pauseReading()
    func resumeReading()
}

extension ConnectionTransport {
    func writeTextFrameAndFlush(_ text: String) {
        writeFrameAndFlush(ServerFrame.encode(text: text, allocator: textFrameAllocator))
    }
}

private let textFrameAllocator = ByteBufferAllocator()

/// The frames go from the session's handler down the pipeline: no walk from its tail.
extension ChannelHandlerContext: ConnectionTransport {
    var isWritable: Bool { channel.isWritable }

    func writeFrame(_ frame: ByteBuffer) { write(NIOAny(frame), promise: nil) }

    func flushFrames() { flush() }

    func writeFrameAndFlush(_ frame: ByteBuffer) { writeAndFlush(NIOAny(frame), promise: nil) }

    func writeFrameThenClose(_ frame: ByteBuffer) {
        let channel = self.channel
        writeAndFlush(NIOAny(frame)).whenComplete { _ in channel.close(promise: nil) }
    }

    func close(after delay: TimeAmount) { channel.close(after: delay) }

    func closeNow() { channel.close(promise: nil) }

    func pauseReading() { channel.setAutoRead(false) }

    func resumeReading() { channel.setAutoRead(true) }
}

/// A connection written straight to a channel, from its tail (a connection made without a
/// session: unit tests).
final class ChannelTransport: ConnectionTransport {
    let channel: Channel

    init(_ channel: Channel) { self.channel = channel }

    var eventLoop: EventLoop { channel.eventLoop }
    var isWritable: Bool { channel.isWritable }

    func writeFrame(_ frame: ByteBuffer) { channel.write(frame, promise: nil) }

    func flushFrames() { channel.flush() }

    func writeFrameAndFlush(_ frame: ByteBuffer) { channel.writeAndFlush(frame, promise: nil) }

    func writeFrameThenClose(_ frame: ByteBuffer) {
        let channel = self.channel
        channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
    }

    func close(after delay: TimeAmount) { channel.close(after: delay) }

    func closeNow() { channel.close(promise: nil) }

    var remoteAddress: SocketAddress? { channel.remoteAddress }

    func pauseReading() { channel.setAutoRead(false) }

    func resumeReading() { channel.setAutoRead(true) }
}

extension Channel {
    /// Closes after `delay`; the timer goes as soon as the channel closes by itself.
    fileprivate func close(after delay: TimeAmount) {
        let timeout = eventLoop.scheduleTask(in: delay) { [self] in close(promise: nil) }
        closeFuture.whenComplete { _ in timeout.cancel() }
    }

    /// Reads the socket again, or stops reading it until told to.
    fileprivate func setAutoRead(_ on: Bool) { setOption(.autoRead, value: on).whenComplete { _ in } }
}
