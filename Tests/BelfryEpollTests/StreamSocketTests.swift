import CEpoll
import Glibc
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import BelfryEpoll

/// Real sockets on 127.0.0.1: a server on an `EpollLoop`, and a blocking client with a receive
/// deadline on this thread.
@Suite struct StreamSocketTests {
    @Test func echoesWhatItReads() async throws {
        let server = try await TestServer.start { socket, bytes in socket.write(ByteBuffer(bytes: bytes)) }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        for message in ["hello", String(repeating: "x", count: 100_000)] {
            client.send(Array(message.utf8))
            #expect(try client.receive(count: message.utf8.count) == Array(message.utf8))
        }
    }

    @Test func keepsWhatTheKernelDoesNotTakeAndWritesItWhenTheClientReads() async throws {
        // 16 MB to a client that is not reading yet: more than both sockets' buffers hold.
        let chunk = Self.chunk
        let pending = NIOLockedValueBox(0)
        let server = try await TestServer.start { socket, _ in
            for _ in 0..<256 { socket.write(chunk) }
            pending.withLockedValue { $0 = socket.pendingBytes }
        }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        client.send([1])
        let received = try client.receive(count: 256 * 65536)
        #expect(pending.withLockedValue { $0 } > 0)
        #expect(received == Array(repeatElement(Array(chunk.readableBytesView), count: 256).joined()))
        // Told once when the writes went over the high-water mark, and once when the last bytes
        // went to the kernel.
        #expect(try await server.writabilityChanges() == [false, true])
    }

    @Test func staysWritableBelowTheHighWaterMark() async throws {
        let chunk = Self.chunk
        let pending = NIOLockedValueBox(0)
        // 16 MB, as above (more than the sockets' buffers hold), under a 64 MB mark.
        let server = try await TestServer.start(highWaterMark: 64 * 1024 * 1024) { socket, _ in
            for _ in 0..<256 { socket.write(chunk) }
            pending.withLockedValue { $0 = socket.pendingBytes }
        }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        client.send([1])
        #expect(try client.receive(count: 256 * 65536).count == 256 * 65536)
        #expect(pending.withLockedValue { $0 } > 0, "some bytes waited for the client")
        #expect(try await server.writabilityChanges() == [])
    }

    /// Writes held by `cork` count toward the high-water mark, as NIO counts writes not yet
    /// flushed: an owner writing many answers in one turn (pipelined HTTP requests) is told to
    /// stop before they are sent. When `uncork` gives them all to the kernel, it is writable again.
    @Test func corkedWritesCountTowardTheHighWaterMark() async throws {
        let part = ByteBuffer(repeating: 7, count: 600)
        let seen = NIOLockedValueBox<[Bool]>([])
        let server = try await TestServer.start(highWaterMark: 1000) { socket, _ in
            socket.cork()
            socket.write(part)
            let afterOne = socket.isWritable
            socket.write(part)
            let afterTwo = socket.isWritable
            socket.uncork()
            seen.withLockedValue { $0 = [afterOne, afterTwo, socket.isWritable] }
        }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        client.send([1])
        #expect(try client.receive(count: 1200) == Array(repeating: 7, count: 1200))
        // (Asked on the loop, after the turn that wrote: the bytes arrive before it ends.)
        #expect(try await server.writabilityChanges() == [false, true])
        // 600 bytes held: writable; 1,200 held: not; all taken by the kernel at `uncork`: writable.
        #expect(seen.withLockedValue { $0 } == [true, false, true])
    }

    @Test func aDetachedSocketStaysOpenAndIsNoLongerServed() async throws {
        let detached = NIOLockedValueBox<Int32?>(nil)
        let server = try await TestServer.start { socket, _ in
            detached.withLockedValue { $0 = socket.detach() }
        }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        client.send([1])
        try await server.waitUntilDetached(detached)
        let fd = try #require(detached.withLockedValue { $0 })
        // The descriptor is still the connection: a write on it reaches the client, and the
        // loop no longer reads it (the next byte stays for its new owner).
        #expect(Glibc.send(fd, [9], 1, 0) == 1)
        #expect(try client.receive(count: 1) == [9])
        client.send([2])
        var byte: UInt8 = 0
        var watched = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        #expect(poll(&watched, 1, 10_000) == 1)
        #expect(recv(fd, &byte, 1, 0) == 1 && byte == 2)
        #expect(try await server.closedCount() == 0, "a detached socket is not reported closed")
        Glibc.close(fd)
    }

    /// Corked writes stay in the socket (the client can read nothing) until `uncork` sends them,
    /// in order, as one.
    @Test func corkedWritesGoOutTogetherOnUncork() async throws {
        let corked = NIOLockedValueBox<Int32?>(nil)
        let server = try await TestServer.start { socket, bytes in
            for byte in bytes {
                if byte == 1 {
                    socket.cork()
                    socket.write(ByteBuffer(string: "head,"))
                    corked.withLockedValue { $0 = socket.fd }
                }
                if byte == 2 {
                    socket.write(ByteBuffer(string: "frame"))
                    socket.uncork()
                }
                if byte == 3 { socket.write(ByteBuffer(string: "next")) }
            }
        }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        client.send([1])
        try await server.waitUntilDetached(corked)
        // On loopback a send is in the peer's receive queue when it returns: had "head," been
        // sent, it would be readable now.
        var byte: UInt8 = 0
        #expect(recv(client.fd, &byte, 1, Int32(MSG_DONTWAIT)) == -1 && errno == EAGAIN)
        client.send([2])
        #expect(try client.receive(count: 10) == Array("head,frame".utf8))
        client.send([3])
        #expect(try client.receive(count: 4) == Array("next".utf8), "uncorked: writes go out at once")
    }

    /// `write(count:)` fills its bytes in place: into what `cork` holds (before or after a
    /// buffer), straight to the kernel when nothing is pending, after what is pending otherwise.
    /// What the kernel does not take is kept, and everything arrives in order.
    @Test func bytesFilledInPlaceArriveInOrderCorkedOrNot() async throws {
        let chunk = 65536
        let written = NIOLockedValueBox<Int32?>(nil)
        let pending = NIOLockedValueBox(0)
        let server = try await TestServer.start { socket, _ in
            socket.cork()
            socket.write(count: 5) { $0.copyBytes(from: "head,".utf8) }
            socket.write(ByteBuffer(string: "frame"))
            socket.write(count: 1) { $0.copyBytes(from: ",".utf8) }
            socket.uncork()
            // 16 MB, more than both sockets' buffers hold: the first chunks go straight to the
            // kernel, the rest wait behind what it did not take.
            for index in 0..<256 {
                socket.write(count: chunk) { $0.initializeMemory(as: UInt8.self, repeating: UInt8(index)) }
            }
            socket.write(count: 4) { $0.copyBytes(from: "tail".utf8) }
            pending.withLockedValue { $0 = socket.pendingBytes }
            written.withLockedValue { $0 = socket.fd }
        }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        client.send([1])
        // Nothing is read until everything is written, so the kernel cannot take it all.
        try await server.waitUntilDetached(written)
        #expect(pending.withLockedValue { $0 } > 0)
        #expect(try client.receive(count: 11) == Array("head,frame,".utf8))
        let received = try client.receive(count: 256 * chunk)
        #expect(received == (0..<256).flatMap { [UInt8](repeating: UInt8($0), count: chunk) })
        #expect(try client.receive(count: 4) == Array("tail".utf8))
        #expect(try await server.writabilityChanges() == [false, true])
    }

    /// More than `readsPerTurn` buffers arriving at once: the socket is reported once (edge-
    /// triggered), reads what a turn allows and comes back for the rest.
    @Test func readsEverythingThatArrivedAtOnce() async throws {
        let server = try await TestServer.start { socket, bytes in socket.write(ByteBuffer(bytes: bytes)) }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        let message = (0..<(4 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 12) }
        client.send(message)
        #expect(try client.receive(count: message.count) == message)
    }

    @Test func closeAfterWritesClosesOnceEverythingIsWritten() async throws {
        let chunk = Self.chunk
        let server = try await TestServer.start { socket, _ in
            for _ in 0..<64 { socket.write(chunk) }
            socket.closeAfterWrites()
            #expect(!socket.write(chunk), "nothing is written after closeAfterWrites")
        }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        client.send([1])
        #expect(try client.receiveUntilClosed().count == 64 * 65536)
    }

    @Test func aPausedSocketReadsNothingUntilItResumes() async throws {
        let reads = NIOLockedValueBox<[UInt8]>([])
        let server = try await TestServer.start { socket, bytes in
            reads.withLockedValue { $0 += bytes }
            socket.pauseReading()
            socket.write(ByteBuffer(bytes: bytes))
        }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        client.send([1])
        #expect(try client.receive(count: 1) == [1])  // read, echoed, and paused
        client.send([2])
        // Once the byte waits in the server's socket, a turn of the loop (the submit's wake-up
        // and the socket's readiness are reported by the same wait) does not read it.
        try await server.waitUntilUnread()
        try await server.loop.submit {}.get()
        #expect(reads.withLockedValue { $0 } == [1])
        try await server.loop.submit { server.sockets[0].resumeReading() }.get()
        #expect(try client.receive(count: 1) == [2])
        #expect(reads.withLockedValue { $0 } == [1, 2])
    }

    @Test func peerAddressIsTheClientsAndNilOnceClosed() async throws {
        let server = try await TestServer.start { socket, _ in socket.write(ByteBuffer(bytes: [0])) }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        defer { client.close() }
        client.send([1])
        _ = try client.receive(count: 1)
        let peer = try await server.loop.submit { server.sockets[0].peerAddress() }.get()
        #expect(peer?.ipAddress == "127.0.0.1")
        #expect(peer?.port == client.localPort)
        let afterClose = try await server.loop.submit {
            server.sockets[0].close()
            return server.sockets[0].peerAddress()
        }.get()
        #expect(afterClose == nil)
    }

    /// The bytes and the end of the stream have both arrived before the socket is first read:
    /// edge-triggered, it is reported once, so it must read past the bytes to see the end.
    @Test func bytesAndTheEndArrivingTogetherAreReadAndClosed() async throws {
        let listener = try Listener.bind(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let client = try TestClient(port: listener.port)
        client.send([1, 2, 3])
        client.close()
        guard case .socket(let fd, _) = listener.accept() else {
            Issue.record("the connection was not waiting to be accepted")
            return
        }
        let loop = try EpollLoop(name: "test-end")
        defer { loop.shutdownGracefully { _ in } }
        let recorder = EndRecorder(closed: loop.makePromise())
        try await loop.submit { _ = try StreamSocket(fd: fd, loop: loop, delegate: recorder) }.get()
        let timeout = loop.scheduleTask(in: .seconds(10)) { recorder.closed.fail(TestClient.Timeout()) }
        try await recorder.closed.futureResult.get()
        timeout.cancel()
        #expect(try await loop.submit { recorder.bytes }.get() == [1, 2, 3])
    }

    static let chunk = ByteBuffer(bytes: (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) })

    @Test func aPeerThatClosesIsClosedOnce() async throws {
        let server = try await TestServer.start { _, _ in }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        client.send([1, 2, 3])
        client.close()
        let timeout = server.loop.scheduleTask(in: .seconds(10)) { server.closedOnce.fail(TestClient.Timeout()) }
        try await server.closedOnce.futureResult.get()
        timeout.cancel()
        #expect(try await server.closedCount() == 1)
    }
}

/// Records what a socket read, and its close.
final class EndRecorder: StreamSocketDelegate, @unchecked Sendable {
    let closed: EventLoopPromise<Void>
    var bytes: [UInt8] = []
    init(closed: EventLoopPromise<Void>) { self.closed = closed }
    func received(_ bytes: UnsafeRawBufferPointer, on socket: StreamSocket) { self.bytes += bytes }
    func writabilityChanged(_ socket: StreamSocket) {}
    func closed(_ socket: StreamSocket) { closed.succeed() }
}

/// A listener on port 0 whose sockets call `onRead`; counts closes and records writability changes.
final class TestServer: StreamSocketDelegate, @unchecked Sendable {
    let loop: EpollLoop
    let onRead: (StreamSocket, UnsafeRawBufferPointer) -> Void
    let closedOnce: EventLoopPromise<Void>
    private var acceptor: Acceptor?
    private(set) var sockets: [StreamSocket] = []
    private var closes = 0
    private var writability: [Bool] = []
    private(set) var port = 0

    private init(loop: EpollLoop, onRead: @escaping (StreamSocket, UnsafeRawBufferPointer) -> Void) {
        self.loop = loop
        self.onRead = onRead
        self.closedOnce = loop.makePromise()
    }

    static func start(
        highWaterMark: Int = 64 * 1024, onRead: @escaping @Sendable (StreamSocket, UnsafeRawBufferPointer) -> Void
    ) async throws -> TestServer {
        let loop = try EpollLoop(name: "test-server")
        let server = TestServer(loop: loop, onRead: onRead)
        try await loop.submit {
            let listener = try Listener.bind(host: "127.0.0.1", port: 0)
            server.port = listener.port
            let acceptor = Acceptor(listener, loop: loop) { fd, _ in
                if let socket = try? StreamSocket(fd: fd, loop: loop, delegate: server, highWaterMark: highWaterMark) {
                    server.sockets.append(socket)
                }
            }
            try acceptor.start()
            server.acceptor = acceptor
        }.get()
        return server
    }

    func received(_ bytes: UnsafeRawBufferPointer, on socket: StreamSocket) { onRead(socket, bytes) }
    func writabilityChanged(_ socket: StreamSocket) { writability.append(socket.isWritable) }
    func closed(_ socket: StreamSocket) {
        closes += 1
        if closes == 1 { closedOnce.succeed() }
    }

    /// Waits (poll(2) on the first socket, up to 10 s) until it has bytes not yet read: the
    /// kernel tells when they arrive, nothing is slept for. poll only looks; the loop still owns
    /// the socket.
    func waitUntilUnread() async throws {
        let fd = try await loop.submit { self.sockets[0].fd }.get()
        var watched = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&watched, 1, 10_000) == 1 else { throw TestClient.Timeout() }
    }

    func closedCount() async throws -> Int { try await loop.submit { self.closes }.get() }
    func writabilityChanges() async throws -> [Bool] { try await loop.submit { self.writability }.get() }

    /// Waits for `onRead` to have set `detached` (a task on the loop runs after the turn that
    /// read it); any box `onRead` sets last will do.
    func waitUntilDetached(_ detached: NIOLockedValueBox<Int32?>) async throws {
        let deadline = NIODeadline.now() + .seconds(10)
        while detached.withLockedValue({ $0 }) == nil {
            guard NIODeadline.now() < deadline else { throw TestClient.Timeout() }
            try await loop.submit {}.get()
        }
    }

    func stop() {
        loop.execute {
            for socket in self.sockets { socket.close() }
            self.acceptor?.stop()
            self.acceptor?.listener.close()
        }
        loop.shutdownGracefully { _ in }
    }
}

/// A blocking TCP client whose reads give up after 10 s.
struct TestClient {
    struct Timeout: Error {}
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw EpollError(call: "connect", errno: errno) }
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            precondition(sent > 0, "send failed: \(errno)")
            offset += sent
        }
    }

    func receive(count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < count {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, count - bytes.count), 0) }
            guard got > 0 else { throw Timeout() }
            bytes += chunk[0..<got]
        }
        return bytes
    }

    func receiveUntilClosed() throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got == 0 { return bytes }
            guard got > 0 else { throw Timeout() }
            bytes += chunk[0..<got]
        }
    }

    /// The port this end is bound to.
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(fd) }
}
