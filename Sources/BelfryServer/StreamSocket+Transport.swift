import BelfryEpoll
import NIOCore

/// A socket served by BelfryEpoll carries a connection as a NIO channel does. Each write goes to
/// the kernel at once (what it does not take waits in the socket), so there is nothing to flush;
/// the socket is not writable past its high-water mark, and tells its delegate (the session)
/// when that changes, as NIO does.
extension StreamSocket: ConnectionTransport {
    var eventLoop: EventLoop { loop }

    func writeFrame(_ frame: ByteBuffer) { write(frame) }

    func flushFrames() {}

    func writeFrameAndFlush(_ frame: ByteBuffer) { write(frame) }

    func writeFrameThenClose(_ frame: ByteBuffer) {
        write(frame)
        closeAfterWrites()
    }

    /// The timer holds the socket weakly: a socket that has closed by then is gone, not kept.
    func close(after delay: TimeAmount) {
        loop.schedule(at: .now() + delay) { [weak self] in self?.close() }
    }

    func closeNow() { close() }

    /// Asked of the kernel, so nil once closed (the leases do not need it; see `ConnectionLeases`).
    var remoteAddress: SocketAddress? { peerAddress() }
}
