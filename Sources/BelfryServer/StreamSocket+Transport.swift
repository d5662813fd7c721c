import BelfryEpoll
import NIOCore

/// A socket served by BelfryEpoll carries a connection as a NIO channel does. A frame written
/// without a flush is held (`cork`) and goes out with the rest at the flush, in one `send`: the
/// fan-outs of publishes read together, flushed once per subscriber at the end of the loop's
/// turn (`FlushBatch`), cost one system call per subscriber as on NIO, not one per event. The
/// socket is not writable past its high-water mark, and tells its delegate (the session) when
/// that changes, as NIO does.
extension StreamSocket: ConnectionTransport {
    var eventLoop: EventLoop { loop }

    func writeFrame(_ frame: ByteBuffer) {
        cork()
        write(frame)
    }

    func flushFrames() { uncork() }

    func writeFrameAndFlush(_ frame: ByteBuffer) {
        write(frame)
        uncork()
    }

    /// Encoded into what `cork` holds (after an upgrade's 101), or sent from scratch space with
    /// no buffer made: a frame written this way costs no allocation unless the kernel leaves part
    /// of it (BENCHMARKS.md, issue 18's twelfth step).
    func writeTextFrameAndFlush(_ text: String) {
        write(count: ServerFrame.size(payload: text.utf8.count)) { ServerFrame.encode(text: text, into: $0) }
        uncork()
    }

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
