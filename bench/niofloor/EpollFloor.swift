// The epoll engine of niofloor (`--engine epoll`): the same protocol as the NIO engine in
// main.swift, on one thread with epoll(7) and plain system calls, without SwiftNIO. It measures
// what leaving NIO's channel layer would be worth (BENCHMARKS.md, "Issue 18, fifth step").
//
// Per socket it keeps one small object: no pipeline, no promises, no per-write bookkeeping. A
// read is one `read(2)` into a shared buffer; a reply or a delivery is one `write(2)`, and only
// what the kernel does not take at once is kept (then written on EPOLLOUT). Level-triggered.
// Like the NIO engine it is a measuring tool, not a server: loopback only, no limits.
import CEpoll
import Glibc

/// One accepted socket.
final class EpollSocket: FloorSocket {
    let fd: Int32
    var index = -1
    var lastActivity: UInt64 = 0
    var upgraded = false
    var subscribed = false
    /// Bytes read but not yet a whole request or frame.
    var inbound: [UInt8] = []
    /// Bytes the kernel did not take yet.
    var outbound: [UInt8] = []
    unowned let engine: EpollFloor

    init(fd: Int32, engine: EpollFloor) {
        self.fd = fd
        self.engine = engine
    }

    func sendPing() { engine.send(Frames.ping, to: self) }
}

final class EpollFloor {
    let registry: Registry<EpollSocket>
    private let listener: Int32
    private let epoll: Int32
    /// Sockets by descriptor.
    private var sockets: [EpollSocket?] = []
    private var scratch = [UInt8](repeating: 0, count: 65536)

    init(port: Int, pingSeconds: UInt64) {
        registry = Registry(now: Self.now(), pingSeconds: pingSeconds)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        precondition(listener >= 0, "epollfloor: socket: \(errno)")
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        precondition(bound == 0 && listen(listener, 1024) == 0, "epollfloor: bind or listen on \(port): \(errno)")
        self.listener = listener
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        watch(listener, EPOLLIN.rawValue, EPOLL_CTL_ADD)
    }

    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    private func watch(_ fd: Int32, _ events: UInt32, _ operation: Int32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        epoll_ctl(epoll, operation, fd, &event)
    }

    /// Runs forever: I/O events, and the ping wheel every 100 ms.
    func run() -> Never {
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        var nextSweep = Self.now() + tickNanos
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), 100)
            for event in events.prefix(Int(max(count, 0))) {
                let fd = event.data.fd
                if fd == listener {
                    acceptAll()
                    continue
                }
                guard let socket = sockets[Int(fd)] else { continue }
                if event.events & EPOLLOUT.rawValue != 0 { drain(socket) }
                if event.events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { readable(socket) }
            }
            let now = Self.now()
            if now >= nextSweep {
                registry.sweep(now: now)
                nextSweep = now + tickNanos
            }
        }
    }

    private func acceptAll() {
        for _ in 0..<64 {
            let fd = accept4(listener, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            guard fd >= 0 else { return }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Int(fd) >= sockets.count {
                sockets += [EpollSocket?](repeating: nil, count: Int(fd) + 1024 - sockets.count)
            }
            sockets[Int(fd)] = EpollSocket(fd: fd, engine: self)
            watch(fd, EPOLLIN.rawValue, EPOLL_CTL_ADD)
        }
    }

    private func readable(_ socket: EpollSocket) {
        let count = scratch.withUnsafeMutableBytes { read(socket.fd, $0.baseAddress, $0.count) }
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
            close(socket)
            return
        }
        guard count > 0 else { return }
        if socket.inbound.isEmpty {
            scratch.withUnsafeBytes { handle(socket, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        } else {
            socket.inbound += scratch[0..<count]
            let bytes = socket.inbound
            socket.inbound = []
            bytes.withUnsafeBytes { handle(socket, $0) }
        }
    }

    /// Handles every whole request or frame in `bytes`; keeps the rest.
    private func handle(_ socket: EpollSocket, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count, sockets[Int(socket.fd)] === socket {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            guard let used = socket.upgraded ? frame(socket, rest) : request(socket, rest), used > 0 else { break }
            offset += used
        }
        if offset < bytes.count, sockets[Int(socket.fd)] === socket { socket.inbound = Array(bytes[offset...]) }
    }

    private func frame(_ socket: EpollSocket, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let (size, opcode) = clientFrame(bytes) else { return nil }
        socket.lastActivity = Self.now()
        if opcode == 0x8 {
            close(socket)
        } else if !socket.subscribed {
            socket.subscribed = true
            send(Frames.subscribed, to: socket)
        }
        return size
    }

    private func request(_ socket: EpollSocket, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let parsed = requestHead(bytes) else { return nil }
        if parsed.post {
            guard bytes.count >= parsed.head + parsed.body else { return nil }
            let frame = Frames.text(bytes[parsed.head..<(parsed.head + parsed.body)])
            for subscriber in registry.open { send(frame, to: subscriber) }
            send(Frames.published, to: socket)
            return parsed.head + parsed.body
        }
        guard let key = parsed.key else {
            close(socket)
            return nil
        }
        registry.socketCount += 1
        let id = registry.socketCount
        send(Frames.switching(key: key) + Frames.established(id: id, pingSeconds: registry.pingSeconds), to: socket)
        socket.upgraded = true
        registry.add(socket, now: Self.now())
        return parsed.head
    }

    /// Writes `bytes` now; what the kernel does not take waits for EPOLLOUT, after anything
    /// already waiting.
    func send(_ bytes: [UInt8], to socket: EpollSocket) {
        guard socket.outbound.isEmpty else {
            socket.outbound += bytes
            return
        }
        let written = bytes.withUnsafeBytes { write(socket.fd, $0.baseAddress, $0.count) }
        if written == bytes.count { return }
        if written < 0, errno != EAGAIN, errno != EINTR {
            close(socket)
            return
        }
        socket.outbound = Array(bytes[max(written, 0)...])
        watch(socket.fd, EPOLLIN.rawValue | EPOLLOUT.rawValue, EPOLL_CTL_MOD)
    }

    private func drain(_ socket: EpollSocket) {
        let written = socket.outbound.withUnsafeBytes { write(socket.fd, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno != EAGAIN, errno != EINTR { close(socket) }
            return
        }
        socket.outbound.removeFirst(written)
        if socket.outbound.isEmpty { watch(socket.fd, EPOLLIN.rawValue, EPOLL_CTL_MOD) }
    }

    private func close(_ socket: EpollSocket) {
        guard sockets[Int(socket.fd)] === socket else { return }
        sockets[Int(socket.fd)] = nil
        registry.remove(socket)
        Glibc.close(socket.fd)
    }
}
