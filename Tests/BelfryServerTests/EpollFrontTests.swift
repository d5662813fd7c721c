import BelfryEpoll
import BelfryManifest
import Foundation
import Glibc
import Logging
import NIOCore
import NIOPosix
import PusherProtocol
import Testing

@testable import BelfryServer

/// The public port on BelfryEpoll (`--engine epoll`), with real sockets on 127.0.0.1: the
/// handshake and every other request are answered on the epoll loop (NIO's group is stopped in
/// the HTTP tests, so nothing there can answer), and a client that stops reading meets the same
/// outbound budget as on NIO.
@Suite(.serialized) struct EpollFrontTests {
    static let app = App(name: "a", id: "1", key: "key", secret: "secret")

    /// An epoll loop for WebSockets and a NIO loop for HTTP, as `PusherServer` makes them.
    final class Server: Sendable {
        let loop: EpollLoop
        let http: MultiThreadedEventLoopGroup
        let context: ServerContext
        let front: EpollFront
        let port: Int

        init(options: ServerOptions = ServerOptions()) async throws {
            loop = try EpollLoop(name: "test-epoll")
            http = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            var options = options
            options.host = "127.0.0.1"
            let loops: [EventLoop] = Array(http.makeIterator()) + [loop]
            var indices: [ObjectIdentifier: Int] = [:]
            for (index, loop) in loops.enumerated() { indices[ObjectIdentifier(loop)] = index }
            context = ServerContext(
                store: ConfigStore(ConfigSnapshot(apps: [EpollFrontTests.app])), options: options,
                logger: Logger(label: "test"), loopIndices: indices)
            context.enter(.running)
            front = EpollFront(loops: [loop], http: http, context: context)
            port = try await front.start(host: "127.0.0.1", port: 0)
        }

        func stop() async {
            await front.stop()
            await front.shutdown()
            try? await http.shutdownGracefully()
        }

        /// The app's connections, as the hub has them.
        var connections: [Connection] { context.hubs.existing(EpollFrontTests.app.id)?.allConnections ?? [] }
    }

    static func upgradeRequest(path: String = "/app/key?protocol=7") -> String {
        "GET \(path) HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    @Test func upgradesOnTheEpollLoopAndSaysConnectionEstablished() async throws {
        let server = try await Server()
        let client = try RawClient(port: server.port)
        defer { client.close() }
        // The request in two pieces: the handshake waits for the whole head.
        let request = Self.upgradeRequest()
        client.send(String(request.prefix(20)))
        client.send(String(request.dropFirst(20)))
        let answer = try client.receive(until: "activity_timeout")
        #expect(answer.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        #expect(answer.contains("pusher:connection_established"))
        let onEpoll = try await server.loop.submit { server.connections.map { $0.loop === server.loop } }.get()
        #expect(onEpoll == [true])
        client.close()
        // The connection leaves its hub and gives its descriptor back.
        try await waitUntil(server) {
            server.connections.isEmpty && server.context.descriptors.status(now: Now.nanoseconds).open == 0
        }
        await server.stop()
    }

    @Test func otherRequestsAreAnsweredOnTheEpollLoop() async throws {
        let server = try await Server()
        try await server.http.shutdownGracefully()
        let client = try RawClient(port: server.port)
        defer { client.close() }
        // Two pipelined requests in one segment: both answered, in order, on one connection.
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = try client.receive(until: "No route for GET /nowhere")
        #expect(answers.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answers.contains("{\"status\":\"ok\"}"))
        #expect(answers.contains("HTTP/1.1 404 Not Found\r\n"))
        // A request whose body comes in a later segment.
        client.send("POST /apps/1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n")
        client.send("{}")
        let refused = try client.receive(until: "\"}")
        #expect(refused.hasPrefix("HTTP/1.1 401 "), "\(refused)")
        await server.stop()
    }

    @Test func aPublishOnTheEpollPortReachesASubscriberOnTheSameLoop() async throws {
        let server = try await Server()
        try await server.http.shutdownGracefully()
        let subscriber = try RawClient(port: server.port)
        defer { subscriber.close() }
        subscriber.send(Self.upgradeRequest())
        _ = try subscriber.receive(until: "activity_timeout")
        subscriber.send(Self.maskedText(#"{"event":"pusher:subscribe","data":{"channel":"c"}}"#))
        _ = try subscriber.receive(until: "subscription_succeeded")

        let publisher = try RawClient(port: server.port)
        defer { publisher.close() }
        // Two pipelined publishes: both answered, and both events delivered in order.
        publisher.send(Self.signedEvent("one") + Self.signedEvent("two"))
        let answers = try publisher.receive(until: "HTTP/1.1 200 OK\r\n", count: 2)
        #expect(!answers.contains("HTTP/1.1 4"), "\(answers)")
        let events = try subscriber.receive(until: "\"event\":\"two\"")
        let one = try #require(events.range(of: "\"event\":\"one\""))
        #expect(one.lowerBound < events.range(of: "\"event\":\"two\"")!.lowerBound)
        await server.stop()
    }

    @Test func aKeepAliveConnectionCanUpgradeAfterARequest() async throws {
        let server = try await Server()
        let client = try RawClient(port: server.port)
        defer { client.close() }
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.receive(until: "{\"status\":\"ok\"}")
        client.send(Self.upgradeRequest())
        let answer = try client.receive(until: "activity_timeout")
        #expect(answer.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"), "\(answer)")
        let onEpoll = try await server.loop.submit { server.connections.map { $0.loop === server.loop } }.get()
        #expect(onEpoll == [true])
        await server.stop()
    }

    /// A signed `POST /apps/1/events` for channel `c`.
    static func signedEvent(_ name: String) -> String { signedEventRequest(name, app: app) }

    /// A client's text frame (masked, as RFC 6455 requires; a short payload).
    static func maskedText(_ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        precondition(payload.count < 126)
        let mask: [UInt8] = [1, 2, 3, 4]
        return [0x81, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $1 ^ mask[$0 % 4] }
    }

    @Test func aRefusedHandshakeIsAnsweredAndClosed() async throws {
        let server = try await Server()
        let client = try RawClient(port: server.port)
        defer { client.close() }
        client.send(Self.upgradeRequest().replacingOccurrences(of: "Version: 13", with: "Version: 8"))
        let answer = try client.receiveUntilClosed()
        #expect(answer.hasPrefix("HTTP/1.1 426 "), "\(answer)")
        try await waitUntil(server) { server.context.descriptors.status(now: Now.nanoseconds).open == 0 }
        await server.stop()
    }

    @Test func aClientThatStopsReadingIsClosedWith4100() async throws {
        var options = ServerOptions()
        options.maxOutboundBacklog = 256 * 1024
        let server = try await Server(options: options)
        let client = try RawClient(port: server.port, receiveBuffer: 4096)
        defer { client.close() }
        client.send(Self.upgradeRequest())
        _ = try client.receive(until: "activity_timeout")
        let connection = try #require(server.connections.first)
        // The server writes 10 KB messages to a client that reads nothing: the socket goes over
        // its high-water mark, and the bytes written after that count against the budget.
        let message = String(repeating: "x", count: 10_000)
        let code = try await server.loop.submit { () -> UInt16? in
            for _ in 0..<10_000 where !connection.isClosed { connection.send(message) }
            return connection.closeCode
        }.get()
        #expect(code == 4100)
        await server.stop()
    }

    /// Polls `condition` once per turn of the server's epoll loop (where the close is seen),
    /// with a 10 s deadline; nothing is slept for.
    private func waitUntil(_ server: Server, _ condition: @escaping () -> Bool) async throws {
        let deadline = NIODeadline.now() + .seconds(10)
        while !condition() {
            guard NIODeadline.now() < deadline else { throw RawClient.Timeout() }
            try await server.loop.submit {}.get()
        }
    }
}

/// A blocking TCP client whose reads give up after 10 s.
final class RawClient {
    struct Timeout: Error {}
    let fd: Int32
    private var isClosed = false

    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw Timeout() }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            precondition(sent > 0, "send failed: \(errno)")
            offset += sent
        }
    }

    /// Reads until what has arrived contains `marker` (`count` times).
    func receive(until marker: String, count: Int = 1) throws -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while String(decoding: bytes, as: UTF8.self).components(separatedBy: marker).count <= count {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { throw Timeout() }
            bytes += chunk[0..<got]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func receiveUntilClosed() throws -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got == 0 { return String(decoding: bytes, as: UTF8.self) }
            guard got > 0 else { throw Timeout() }
            bytes += chunk[0..<got]
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }
}
