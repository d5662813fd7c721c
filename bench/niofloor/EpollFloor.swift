// The epoll engine of niofloor (`--engine epoll`): the same protocol as the NIO engine in
// main.swift, on BelfryEpoll (one `EpollLoop` thread, epoll(7) and plain system calls) instead of
// NIO's channels. It measures what leaving NIO's channel layer is worth (BENCHMARKS.md, "Issue 18,
// fifth step") and is the first user of BelfryEpoll.
//
// Per socket it keeps one small object and a `StreamSocket`: no pipeline, no promises, no
// per-write bookkeeping. A read is one `read(2)` into the loop's shared buffer; a reply or a
// delivery is one `send(2)`, and only what the kernel does not take at once is kept (then written
// when the socket is writable). Like the NIO engine it is a measuring tool, not a server:
// loopback only, no limits.
import BelfryEpoll
import NIOCore

/// One accepted socket.
final class EpollSocket: FloorSocket, StreamSocketDelegate {
    var index = -1
    var lastActivity: UInt64 = 0
    var upgraded = false
    var subscribed = false
    /// Bytes read but not yet a whole request or frame.
    var inbound: [UInt8] = []
    unowned let floor: EpollFloor
    /// Set once accepted. A cycle with the socket's delegate, broken when the socket closes.
    var socket: StreamSocket!

    init(floor: EpollFloor) { self.floor = floor }

    func sendPing() { socket.write(Frames.pingBuffer) }

    func received(_ bytes: UnsafeRawBufferPointer, on socket: StreamSocket) {
        if inbound.isEmpty {
            floor.handle(self, bytes)
        } else {
            inbound += bytes
            let all = inbound
            inbound = []
            all.withUnsafeBytes { floor.handle(self, $0) }
        }
    }

    func writabilityChanged(_ socket: StreamSocket) {}

    func closed(_ socket: StreamSocket) { floor.registry.remove(self) }
}

/// `@unchecked Sendable`: only touched on its loop.
final class EpollFloor: @unchecked Sendable {
    let registry: Registry<EpollSocket>
    let loop: EpollLoop
    private var acceptor: Acceptor?

    init(port: Int, pingSeconds: UInt64) throws {
        registry = Registry(now: NIODeadline.now().uptimeNanoseconds, pingSeconds: pingSeconds)
        loop = try EpollLoop(name: "niofloor-epoll")
        try loop.submit {
            try self.listen(port: port)
            self.sweep()
        }.wait()
    }

    /// The ping wheel's sweep, every 100 ms, on the loop's own timer (no promise per tick).
    private func sweep() {
        let now = NIODeadline.now()
        registry.sweep(now: now.uptimeNanoseconds)
        loop.schedule(at: now + .milliseconds(100)) { [unowned self] in sweep() }
    }

    private func listen(port: Int) throws {
        let listener = try Listener.bind(host: "127.0.0.1", port: port)
        let acceptor = Acceptor(listener, loop: loop) { [unowned self] fd, _ in
            let owner = EpollSocket(floor: self)
            guard let socket = try? StreamSocket(fd: fd, loop: loop, delegate: owner) else { return }
            owner.socket = socket
        }
        try acceptor.start()
        self.acceptor = acceptor
    }

    /// Handles every whole request or frame in `bytes`; keeps the rest.
    func handle(_ owner: EpollSocket, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count, !owner.socket.isClosed {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            guard let used = owner.upgraded ? frame(owner, rest) : request(owner, rest), used > 0 else { break }
            offset += used
        }
        if offset < bytes.count, !owner.socket.isClosed { owner.inbound = Array(bytes[offset...]) }
    }

    private func frame(_ owner: EpollSocket, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let (size, opcode) = clientFrame(bytes) else { return nil }
        owner.lastActivity = NIODeadline.now().uptimeNanoseconds
        if opcode == 0x8 {
            owner.socket.close()
        } else if !owner.subscribed {
            owner.subscribed = true
            owner.socket.write(Frames.subscribedBuffer)
        }
        return size
    }

    private func request(_ owner: EpollSocket, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let parsed = requestHead(bytes) else { return nil }
        if parsed.post {
            guard bytes.count >= parsed.head + parsed.body else { return nil }
            let frame = Frames.buffer(Frames.text(bytes[parsed.head..<(parsed.head + parsed.body)]))
            for subscriber in registry.open { subscriber.socket.write(frame) }
            owner.socket.write(Frames.publishedBuffer)
            return parsed.head + parsed.body
        }
        guard parsed.key != nil else {
            owner.socket.close()
            return nil
        }
        registry.socketCount += 1
        let id = registry.socketCount
        let reply = Frames.switching(key: parsed.key!) + Frames.established(id: id, pingSeconds: registry.pingSeconds)
        owner.socket.write(Frames.buffer(reply))
        owner.upgraded = true
        registry.add(owner, now: NIODeadline.now().uptimeNanoseconds)
        return parsed.head
    }
}
