// niofloor: the least a SwiftNIO server does for what bench/compare.sh's wsload scenarios ask of
// a Pusher server, as a floor to measure Belfry against (bench/compare.sh --floor, BENCHMARKS.md).
//
// One event loop, one channel handler per socket (NIO's channel, pipeline head and tail around
// it, as in Belfry), and nothing else:
//   - a WebSocket upgrade: find Sec-WebSocket-Key, answer 101 with its SHA-1 accept and
//     `pusher:connection_established` in one write;
//   - the first frame from a client (its subscribe) is answered with `subscription_succeeded`,
//     unparsed; any later frame counts as activity (the pong), a close frame closes;
//   - each read's replies are flushed when the read is handled (as Belfry does);
//   - a ping (`pusher:ping`) after --ping seconds of silence, from a wheel swept every 100 ms;
//   - `POST` (the HTTP API's publish): the body is written to every open WebSocket as a text
//     frame (wsload publishes to one group), then `200 {}`.
// No JSON, no signature check, no channels, no logging, no limits: what Belfry does on top of
// this is its own cost; what this costs is NIO's and the kernel's. It listens on 127.0.0.1 only
// and is not hardened (a measuring tool, never a server to run).
//
//   niofloor [--port 16201] [--ping 30] [--engine nio|epoll]
//
// `--engine epoll` (EpollFloor.swift) serves the same protocol without NIO, with epoll(7).
import Glibc
import NIOCore
import NIOPosix

let tickNanos: UInt64 = 100_000_000

/// A socket the registry knows: its place in `open` (-1 once closed), when the client last sent
/// anything, and how to send it a ping.
protocol FloorSocket: AnyObject {
    var index: Int { get set }
    var lastActivity: UInt64 { get }
    func sendPing()
}

/// Every open WebSocket of the one loop (for fan-out) and a wheel of ping checks.
/// `@unchecked Sendable`: only touched on its loop.
final class Registry<Socket: FloorSocket>: @unchecked Sendable {
    let pingSeconds: UInt64
    var open: [Socket] = []
    var socketCount = 0
    private var wheel: [[Socket]]
    private var nextTick: UInt64

    init(now: UInt64, pingSeconds: UInt64) {
        self.pingSeconds = pingSeconds
        wheel = Array(repeating: [], count: Int(pingSeconds * 1_000_000_000 / tickNanos) + 2)
        nextTick = now / tickNanos
    }

    func add(_ handler: Socket, now: UInt64) {
        handler.index = open.count
        open.append(handler)
        check(handler, at: now + pingSeconds * 1_000_000_000)
    }

    func remove(_ handler: Socket) {
        guard handler.index >= 0 else { return }
        let last = open.removeLast()
        if handler.index < open.count {
            open[handler.index] = last
            last.index = handler.index
        }
        handler.index = -1
    }

    /// Looks at `handler` again at `deadline` (a closed one is dropped then).
    private func check(_ handler: Socket, at deadline: UInt64) {
        let tick = max((deadline + tickNanos - 1) / tickNanos, nextTick)
        wheel[Int(tick % UInt64(wheel.count))].append(handler)
    }

    func sweep(now: UInt64) {
        let ping = pingSeconds * 1_000_000_000
        while nextTick <= now / tickNanos {
            let slot = Int(nextTick % UInt64(wheel.count))
            nextTick += 1
            let due = wheel[slot]
            wheel[slot] = []
            for handler in due where handler.index >= 0 {
                if now &- handler.lastActivity >= ping {
                    handler.sendPing()
                    check(handler, at: now + ping)
                } else {
                    check(handler, at: handler.lastActivity + ping)
                }
            }
        }
    }
}

/// The frames both engines send, as bytes (`Frames.buffer` makes NIO's view of them).
enum Frames {
    static let ping = text(Array(#"{"event":"pusher:ping","data":{}}"#.utf8))
    static let subscribed = text(
        Array(#"{"event":"pusher_internal:subscription_succeeded","channel":"floor","data":"{}"}"#.utf8))

    /// An unmasked text frame carrying `payload`.
    static func text(_ payload: some Collection<UInt8>) -> [UInt8] {
        var frame: [UInt8] = [0x81]
        frame.reserveCapacity(payload.count + 10)
        if payload.count < 126 {
            frame.append(UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [126, UInt8(payload.count >> 8), UInt8(truncatingIfNeeded: payload.count)]
        } else {
            frame.append(127)
            for shift in stride(from: 56, through: 0, by: -8) {
                frame.append(UInt8(truncatingIfNeeded: payload.count >> shift))
            }
        }
        frame += payload
        return frame
    }

    /// `pusher:connection_established` for socket number `id`.
    static func established(id: Int, pingSeconds: UInt64) -> [UInt8] {
        text(
            Array(
                #"{"event":"pusher:connection_established","data":"{\"socket_id\":\"\#(id).\#(id)\",\"activity_timeout\":\#(pingSeconds)}"}"#
                    .utf8))
    }

    /// The 101 answering a handshake with `key`.
    static func switching(key: String) -> [UInt8] {
        Array(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept(key))\r\n\r\n"
                .utf8)
    }

    static let published = Array(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".utf8)

    static let allocator = ByteBufferAllocator()
    static let pingBuffer = buffer(ping)
    static let publishedBuffer = buffer(published)
    static let subscribedBuffer = buffer(subscribed)
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer { allocator.buffer(bytes: bytes) }
}

/// What a client's frame is: its size on the wire and its opcode; nil while it is not all here.
func clientFrame(_ bytes: UnsafeRawBufferPointer) -> (size: Int, opcode: UInt8)? {
    guard bytes.count >= 2 else { return nil }
    var length = Int(bytes[1] & 0x7F)
    var header = 2
    if length == 126 {
        guard bytes.count >= 4 else { return nil }
        length = Int(bytes[2]) << 8 | Int(bytes[3])
        header = 4
    } else if length == 127 {
        guard bytes.count >= 10 else { return nil }
        length = (2..<10).reduce(0) { $0 << 8 | Int(bytes[$1]) }
        header = 10
    }
    if bytes[1] & 0x80 != 0 { header += 4 }
    guard bytes.count >= header + length else { return nil }
    return (header + length, bytes[0] & 0x0F)
}

/// An HTTP request's head: its size, the WebSocket key, the body's length and whether it is a
/// `POST`; nil while the head is not all here.
func requestHead(_ bytes: UnsafeRawBufferPointer) -> (head: Int, key: String?, body: Int, post: Bool)? {
    guard let end = find([13, 10, 13, 10], in: bytes) else { return nil }
    let head = end + 4
    let post = bytes.starts(with: "POST ".utf8)
    var key: String?
    var body = 0
    var line = 0
    while line < end {
        let next =
            find([13, 10], in: UnsafeRawBufferPointer(rebasing: bytes[line..<head])).map { line + $0 } ?? end
        if let colon = bytes[line..<next].firstIndex(of: UInt8(ascii: ":")) {
            let name = bytes[line..<colon]
            var start = colon + 1
            while start < next, bytes[start] == UInt8(ascii: " ") { start += 1 }
            if named(name, "sec-websocket-key") {
                key = String(decoding: bytes[start..<next], as: UTF8.self)
            } else if named(name, "content-length") {
                body = Int(String(decoding: bytes[start..<next], as: UTF8.self)) ?? 0
            }
        }
        line = next + 2
    }
    return (head, key, body, post)
}

final class FloorHandler: ChannelInboundHandler, FloorSocket {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let registry: Registry<FloorHandler>
    var index = -1
    var lastActivity: UInt64 = 0
    private var context: ChannelHandlerContext?
    private var pending: ByteBuffer?
    private var upgraded = false
    private var subscribed = false

    init(registry: Registry<FloorHandler>) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(self)
        context.fireChannelInactive()
    }

    func send(_ frame: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    func sendPing() { send(Frames.pingBuffer) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var input = unwrapInboundIn(data)
        if var before = pending {
            before.writeBuffer(&input)
            input = before
        }
        pending = nil
        var wrote = false
        while input.readableBytes > 0 {
            let used = upgraded ? frame(input, context: context) : request(input, context: context, wrote: &wrote)
            guard let used, used > 0 else { break }
            input.moveReaderIndex(forwardBy: used)
            if !context.channel.isActive { return }
        }
        if input.readableBytes > 0 { pending = input }
        if wrote { context.flush() }
    }

    /// One client frame: the bytes it takes, or nil if it is not all here yet.
    private func frame(_ input: ByteBuffer, context: ChannelHandlerContext) -> Int? {
        guard let (size, opcode) = input.withUnsafeReadableBytes(clientFrame) else { return nil }
        lastActivity = NIODeadline.now().uptimeNanoseconds
        if opcode == 0x8 {
            context.close(promise: nil)
        } else if !subscribed {
            subscribed = true
            context.writeAndFlush(wrapOutboundOut(Frames.subscribedBuffer), promise: nil)
        }
        return size
    }

    /// One HTTP request: the bytes it takes, or nil if it is not all here yet.
    private func request(_ input: ByteBuffer, context: ChannelHandlerContext, wrote: inout Bool) -> Int? {
        let parsed = input.withUnsafeReadableBytes(requestHead)
        guard let parsed else { return nil }
        if parsed.post {
            guard input.readableBytes >= parsed.head + parsed.body else { return nil }
            let body = input.getBytes(at: input.readerIndex + parsed.head, length: parsed.body) ?? []
            let frame = Frames.buffer(Frames.text(body))
            for subscriber in registry.open { subscriber.send(frame) }
            context.write(wrapOutboundOut(Frames.buffer(Frames.published)), promise: nil)
            wrote = true
            return parsed.head + parsed.body
        }
        guard let key = parsed.key else {
            context.close(promise: nil)
            return nil
        }
        registry.socketCount += 1
        let id = registry.socketCount
        let established =
            #"{"event":"pusher:connection_established","data":"{\"socket_id\":\"\#(id).\#(id)\",\"activity_timeout\":\#(registry.pingSeconds)}"}"#
        var response = context.channel.allocator.buffer(capacity: 256)
        response.writeString(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept(key))\r\n\r\n"
        )
        var frame = Frames.buffer(Frames.text(Array(established.utf8)))
        response.writeBuffer(&frame)
        context.write(wrapOutboundOut(response), promise: nil)
        wrote = true
        upgraded = true
        registry.add(self, now: NIODeadline.now().uptimeNanoseconds)
        return parsed.head
    }
}

/// Whether a header name is `lowercase` (ASCII, any case).
func named(_ name: Slice<UnsafeRawBufferPointer>, _ lowercase: StaticString) -> Bool {
    guard name.count == lowercase.utf8CodeUnitCount else { return false }
    return zip(name, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
        .allSatisfy { $0 | 0x20 == $1 }  // ASCII letters fold to lower case; "-" has the bit already
}

func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
    guard bytes.count >= needle.count else { return nil }
    var i = 0
    while i <= bytes.count - needle.count {
        if bytes[i] == needle[0] {
            var j = 1
            while j < needle.count, bytes[i + j] == needle[j] { j += 1 }
            if j == needle.count { return i }
        }
        i += 1
    }
    return nil
}

/// Sec-WebSocket-Accept: base64(SHA-1(key + the RFC 6455 GUID)).
func accept(_ key: String) -> String {
    base64(sha1(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)))
}

func sha1(_ message: [UInt8]) -> [UInt8] {
    var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    var data = message + [0x80]
    while data.count % 64 != 56 { data.append(0) }
    let bits = UInt64(message.count) * 8
    for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    var w = [UInt32](repeating: 0, count: 80)
    for chunk in stride(from: 0, to: data.count, by: 64) {
        for i in 0..<16 {
            w[i] = (0..<4).reduce(0) { $0 << 8 | UInt32(data[chunk + i * 4 + $1]) }
        }
        for i in 16..<80 {
            let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
            w[i] = x << 1 | x >> 31
        }
        var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
        for i in 0..<80 {
            let (f, k): (UInt32, UInt32) =
                i < 20
                ? ((b & c) | (~b & d), 0x5A82_7999)
                : i < 40
                    ? (b ^ c ^ d, 0x6ED9_EBA1)
                    : i < 60 ? ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC) : (b ^ c ^ d, 0xCA62_C1D6)
            let t = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
            (e, d, c, b, a) = (d, c, b << 30 | b >> 2, a, t)
        }
        h[0] &+= a
        h[1] &+= b
        h[2] &+= c
        h[3] &+= d
        h[4] &+= e
    }
    return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(24 - $0 * 8)) } }
}

func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    for i in stride(from: 0, to: bytes.count, by: 3) {
        let n = bytes.count - i
        let v = UInt32(bytes[i]) << 16 | (n > 1 ? UInt32(bytes[i + 1]) << 8 : 0) | (n > 2 ? UInt32(bytes[i + 2]) : 0)
        out.append(alphabet[Int(v >> 18 & 63)])
        out.append(alphabet[Int(v >> 12 & 63)])
        out.append(n > 1 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
        out.append(n > 2 ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
    }
    return String(decoding: out, as: UTF8.self)
}

precondition(accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "SHA-1 or base64 is wrong")

var port = 16201
var pingSeconds: UInt64 = 30
var engine = "nio"
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    switch flag {
    case "--port": port = Int(arguments.popFirst() ?? "") ?? port
    case "--ping": pingSeconds = UInt64(arguments.popFirst() ?? "") ?? pingSeconds
    case "--engine": engine = arguments.popFirst() ?? engine
    default: fatalError("niofloor: unknown argument \(flag) (--port N, --ping S, --engine nio|epoll)")
    }
}

switch engine {
case "epoll":
    let floor = try EpollFloor(port: port, pingSeconds: pingSeconds)
    print("niofloor: listening on 127.0.0.1:\(port) (epoll engine), ping after \(pingSeconds) s")
    // The loop runs on its own thread; this one has nothing left to do.
    withExtendedLifetime(floor) { while true { pause() } }
case "nio":
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let loop = group.next()
    let registry = Registry<FloorHandler>(now: NIODeadline.now().uptimeNanoseconds, pingSeconds: pingSeconds)
    loop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
        registry.sweep(now: NIODeadline.now().uptimeNanoseconds)
    }
    let server = try ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .serverChannelOption(.maxMessagesPerRead, value: 16)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.syncOptions?.setOption(
                    .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536))
                try channel.pipeline.syncOperations.addHandler(FloorHandler(registry: registry))
            }
        }
        .bind(host: "127.0.0.1", port: port).wait()
    print("niofloor: listening on 127.0.0.1:\(port), ping after \(pingSeconds) s")
    try server.closeFuture.wait()
default:
    fatalError("niofloor: --engine is nio or epoll, not \(engine)")
}
