import CEpoll
import Glibc
import NIOCore

/// The owner of a `StreamSocket`, called on its loop.
public protocol StreamSocketDelegate: AnyObject {
    /// Bytes read; valid only during the call (they sit in the loop's shared read buffer).
    func received(_ bytes: UnsafeRawBufferPointer, on socket: StreamSocket)
    /// `isWritable` changed: a write left more than the high-water mark pending (false), or
    /// everything pending has since gone to the kernel (true).
    func writabilityChanged(_ socket: StreamSocket)
    /// The socket is closed (by the peer, an error, or `close`); called once.
    func closed(_ socket: StreamSocket)
}

/// A connected non-blocking socket served by an `EpollLoop`: read into a buffer the loop's
/// sockets share (an idle socket keeps none), and each write given to the kernel at once; only
/// what the kernel does not take is kept, and written when the socket is writable again.
///
/// Watched edge-triggered (`EPOLLET`): the loop hears of a socket when bytes arrive, not again at
/// every wait while it stays readable, so a readiness is read until the kernel has no more (a
/// read that does not fill the buffer). A level-triggered socket costs the kernel a second look
/// (`tcp_poll`) at each of its events on the next wait (BENCHMARKS.md, issue 18's eighth step).
///
/// Loop-confined (`@unchecked Sendable` so that a task on the loop can hold it).
public final class StreamSocket: EpollHandler, @unchecked Sendable {
    public let fd: Int32
    public let loop: EpollLoop
    /// Held until the socket closes (the loop holds the socket until then, as a NIO channel holds
    /// its handlers). Its owner may hand the socket to another (an HTTP upgrade).
    public var delegate: StreamSocketDelegate?
    /// Past this many pending bytes the socket is not writable (NIO's default high-water mark).
    public let highWaterMark: Int
    /// False from a write that leaves more than `highWaterMark` bytes pending (corked ones
    /// included) until everything pending has gone to the kernel: an owner stops producing
    /// meanwhile.
    public private(set) var isWritable = true
    private var outbound = OutboundQueue()
    private var watchingWritable = false
    private var reading = true
    /// The peer has closed its end (or the socket failed): reads go on until the end of the
    /// stream, since a read that does not fill the buffer may leave the end unread, and an
    /// edge-triggered socket is not reported again for it.
    private var peerHungUp = false
    private var closeWhenDrained = false
    /// Writes held by `cork`, one buffer, until `uncork`.
    private var corked: ByteBuffer?
    private var isCorked = false
    public private(set) var isClosed = false

    /// Bytes written but not yet taken by the kernel, held by `cork` included (as NIO counts
    /// writes not yet flushed).
    public var pendingBytes: Int { outbound.bytes + (corked?.readableBytes ?? 0) }

    /// Takes over `fd` (a connected, non-blocking socket) and starts reading it. On `loop`.
    public init(
        fd: Int32, loop: EpollLoop, delegate: StreamSocketDelegate?, highWaterMark: Int = 64 * 1024
    ) throws(EpollError) {
        self.fd = fd
        self.loop = loop
        self.delegate = delegate
        self.highWaterMark = highWaterMark
        do throws(EpollError) {
            try loop.register(fd, interest: Self.readInterest, handler: self)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Bytes, and the peer's end of the stream (reported with them when both have arrived).
    private static let readInterest: EpollEvents = [.readable, .readHangup, .edgeTriggered]

    /// Reads at most this many buffers per readiness; the rest waits for the next turn of the
    /// loop, so one client sending without pause does not hold up the loop's other sockets.
    static let readsPerTurn = 4

    public func ready(_ events: EpollEvents) {
        if events.contains(.writable) { flushPending() }
        guard !isClosed else { return }
        if !events.isDisjoint(with: [.readHangup, .hangup, .error]) { peerHungUp = true }
        if reading, !events.isDisjoint(with: [.readable, .hangup, .error]) {
            readAvailable()
        } else if !events.isDisjoint(with: [.hangup, .error]) {
            // Reading is paused: a hang-up or an error is still read, so that the close is seen
            // (a readiness reported in the same wait as the pause is not read).
            _ = readOnce()
        }
    }

    /// Writes `buffer` after anything still pending (or holds it, while corked). Returns false
    /// once closed.
    @discardableResult
    public func write(_ buffer: ByteBuffer) -> Bool {
        guard !isClosed, !closeWhenDrained else { return false }
        if isCorked {
            if corked == nil { corked = buffer } else { corked!.writeImmutableBuffer(buffer) }
        } else if outbound.isEmpty {
            var buffer = buffer
            switch Self.send(fd, &buffer) {
            case .done: break
            case .wouldBlock:
                outbound.append(buffer)
                watchWritable(true)
            case .failed:
                close()
                return false
            }
        } else {
            outbound.append(buffer)
        }
        return wrote()
    }

    /// Writes the `count` bytes that `fill` puts into the space it is given (all of it): into
    /// what `cork` holds, or, when nothing is pending, from scratch space straight to the kernel,
    /// so that no buffer is made unless the kernel leaves part of them. Returns false once closed.
    @discardableResult
    public func write(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard !isClosed, !closeWhenDrained else { return false }
        if isCorked || !outbound.isEmpty {
            var buffer = (isCorked ? corked.take() : nil) ?? ByteBufferAllocator().buffer(capacity: count)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { space in
                fill(UnsafeMutableRawBufferPointer(rebasing: space[0..<count]))
                return count
            }
            if isCorked { corked = buffer } else { outbound.append(buffer) }
            return wrote()
        }
        let failed = withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { scratch in
            fill(scratch)
            let bytes = UnsafeRawBufferPointer(scratch)
            switch Self.send(fd, bytes) {
            case .sent(let sent) where sent == count:
                return false
            case .sent(let sent):
                outbound.append(ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: bytes[sent...])))
                watchWritable(true)
                return false
            case .failed:
                return true
            }
        }
        if failed {
            close()
            return false
        }
        return wrote()
    }

    /// A write is done: tells the delegate if it changed whether the socket is writable.
    private func wrote() -> Bool {
        if isWritable, pendingBytes > highWaterMark {
            isWritable = false
            delegate?.writabilityChanged(self)
        } else if !isWritable, pendingBytes == 0 {
            // What `cork` held went to the kernel whole at `uncork`.
            isWritable = true
            delegate?.writabilityChanged(self)
        }
        return !isClosed
    }

    /// Holds what is written from now until `uncork`, which gives it to the kernel in one system
    /// call: a reply made of parts (an HTTP 101 and the first WebSocket frame) costs one `send`
    /// and one segment instead of one each. Unlike `MSG_MORE` or `TCP_CORK`, nothing is left
    /// to the kernel's timing. Every `cork` must be followed by `uncork`.
    public func cork() { isCorked = true }

    /// Writes what was held since `cork`.
    public func uncork() {
        guard isCorked else { return }
        isCorked = false
        if let bytes = corked {
            corked = nil
            write(bytes)
        }
    }

    /// Stops reading the socket until `resumeReading` (for a peer that sends faster than it reads
    /// the answers). A hang-up or an error is still read, so that the close is seen.
    public func pauseReading() { setReading(false) }

    public func resumeReading() { setReading(true) }

    /// The peer's address (`getpeername(2)`), nil once closed. Not kept: a socket that needs it
    /// asks once.
    public func peerAddress() -> SocketAddress? {
        guard !isClosed else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            return SocketAddress(address, host: "")
        case AF_INET6:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            return SocketAddress(address, host: "")
        default:
            return nil
        }
    }

    /// Gives the descriptor up without closing it, for another owner to serve (a NIO channel):
    /// the loop stops watching it and the delegate is let go without `closed`. Nil (nothing
    /// done) while bytes are pending or once closed.
    public func detach() -> Int32? {
        guard !isClosed, outbound.isEmpty, corked == nil else { return nil }
        isClosed = true
        loop.deregister(fd)
        delegate = nil
        return fd
    }

    /// Closes once what is pending has been written (at once when nothing is).
    public func closeAfterWrites() {
        guard !isClosed else { return }
        uncork()
        if outbound.isEmpty { close() } else { closeWhenDrained = true }
    }

    /// Closes the socket now; what is pending is dropped.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        outbound.removeAll()
        corked = nil
        loop.deregister(fd)
        Glibc.close(fd)
        delegate?.closed(self)
        delegate = nil
    }

    /// Reads until the kernel has nothing more, up to `readsPerTurn` reads; if there may be more
    /// after those, the socket reads again in the next turn (an edge-triggered socket is not
    /// reported again for bytes already waiting).
    private func readAvailable() {
        for _ in 0..<Self.readsPerTurn {
            guard reading, !isClosed else { return }
            switch readOnce() {
            case .mayHaveMore: continue
            case .drained: return
            }
        }
        loop.execute { [self] in readAvailable() }
    }

    private enum ReadResult { case mayHaveMore, drained }

    /// One `read(2)`, given to the delegate. `drained`: the kernel had nothing more (a read that
    /// did not fill the buffer, with the peer still sending), or the socket closed.
    private func readOnce() -> ReadResult {
        let buffer = loop.readBuffer
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                delegate?.received(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), on: self)
                return count == buffer.count || peerHungUp ? .mayHaveMore : .drained
            }
            if count < 0, errno == EINTR { continue }
            if count == 0 || errno != EAGAIN { close() }
            return .drained
        }
    }

    private func flushPending() {
        while var first = outbound.first {
            switch Self.send(fd, &first) {
            case .done:
                outbound.removeFirst()
            case .wouldBlock:
                outbound.replaceFirst(first)
                return
            case .failed:
                close()
                return
            }
        }
        watchWritable(false)
        if closeWhenDrained { return close() }
        if !isWritable {
            isWritable = true
            delegate?.writabilityChanged(self)
        }
    }

    private func watchWritable(_ on: Bool) {
        guard watchingWritable != on else { return }
        watchingWritable = on
        updateInterest()
    }

    private func setReading(_ on: Bool) {
        guard !isClosed, reading != on else { return }
        reading = on
        updateInterest()
    }

    private func updateInterest() {
        var interest: EpollEvents = .edgeTriggered
        if reading { interest.formUnion(Self.readInterest) }
        if watchingWritable { interest.insert(.writable) }
        do throws(EpollError) {
            try loop.modify(fd, interest: interest)
        } catch {
            close()
        }
    }

    private enum SendResult { case done, wouldBlock, failed }

    /// Sends as much of `buffer` as the kernel takes, moving its reader index past it.
    private static func send(_ fd: Int32, _ buffer: inout ByteBuffer) -> SendResult {
        let (result, sent) = buffer.withUnsafeReadableBytes { bytes -> (RawSendResult, Int) in
            switch send(fd, bytes) {
            case .sent(let sent): (.sent(sent), sent)
            case .failed: (.failed, 0)
            }
        }
        buffer.moveReaderIndex(forwardBy: sent)
        switch result {
        case .failed: return .failed
        case .sent: return buffer.readableBytes == 0 ? .done : .wouldBlock
        }
    }

    private enum RawSendResult { case sent(Int), failed }

    /// Sends as much of `bytes` as the kernel takes: `sent` short of the count when the socket's
    /// buffer is full.
    private static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> RawSendResult {
        // MSG_NOSIGNAL: a peer that has gone makes this fail with EPIPE, not raise SIGPIPE.
        let flags = Int32(MSG_NOSIGNAL)
        var offset = 0
        while offset < bytes.count {
            let sent = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, flags)
            if sent > 0 {
                offset += sent
            } else if sent < 0, errno == EINTR {
                continue
            } else if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                return .sent(offset)
            } else {
                return .failed
            }
        }
        return .sent(offset)
    }
}
