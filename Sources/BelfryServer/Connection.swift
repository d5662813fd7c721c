import NIOCore
import PusherProtocol

/// One accepted WebSocket connection as the hub sees it.
///
/// `@unchecked Sendable`: the immutable fields are set at creation; every mutable field is only
/// read and written on `loop` (the connection's event loop). Other threads reach a connection
/// through `loop.execute`, which `FanOut` and the hub's helpers do.
final class Connection: @unchecked Sendable {
    let socketID: String
    let appID: String
    /// The socket's writer: frames (encoded by the server) go from here straight to the socket.
    let transport: ConnectionTransport
    /// The socket's event loop (not stored: an existential is 40 bytes of every connection).
    var loop: EventLoop { transport.eventLoop }
    /// Index of `loop` in the server's event-loop group; subscriber lists are partitioned by it.
    let loopIndex: Int
    private let maxBacklog: Int
    /// Frames are encoded into buffers from here (the default allocator, as every channel's).
    private static let allocator = ByteBufferAllocator()

    // Loop-confined state.
    /// Channels this connection is subscribed to; the value is its presence user id, if any.
    var subscriptions: [String: String?] = [:]
    var signedIn: SigninUser?
    var isAuthorized = false
    var isClosed = false
    /// The close code sent or answered; nil until the closing handshake starts (1006 if it never does).
    var closeCode: UInt16?
    /// `clientEventsPerSecond` and `subscriptionsPerSecond` of this connection.
    var clientEventBucket: TokenBucket?
    var subscriptionBucket: TokenBucket?
    /// In a cluster: the presence members this connection was told, per channel (nil while its
    /// join waits), and the member events held meanwhile (`Connection+ClusterPresence.swift`).
    var toldMembers: [String: Set<String>] = [:]
    var heldMemberEvents: [String: [MemberEvent]] = [:]
    /// Written to by a fan-out and waiting for its batch's flush at the end of the tick.
    var flushPending = false
    private var backlogBytes = 0
    /// The socket's writability as last reported (`writabilityChanged`, which NIO calls as soon
    /// as a write crosses the high-water mark): read per delivery without an atomic load through
    /// the channel.
    private var writable = true

    /// The app's counters, held here so per-frame accounting needs no registry lookup.
    let counters: AppCounters

    init(
        socketID: String, appID: String, transport: ConnectionTransport, loopIndex: Int, maxBacklog: Int,
        counters: AppCounters = AppCounters()
    ) {
        self.counters = counters
        self.socketID = socketID
        self.appID = appID
        self.transport = transport
        self.loopIndex = loopIndex
        self.maxBacklog = maxBacklog
    }

    /// Queues a pre-encoded text message without flushing. Called on `loop`. Its bytes are not
    /// counted here: the fan-out counts a whole loop's deliveries with one atomic add.
    /// - Returns: whether the message was written (false when closed or over the budget).
    @discardableResult
    func enqueue(_ message: OutboundMessage) -> Bool {
        guard admitsOutbound(bytes: message.frame.readableBytes) else { return false }
        write(message.frame)
        return true
    }

    /// `enqueue` and flush in one pass down the pipeline. Called on `loop`.
    /// - Returns: whether the message was written.
    func send(_ message: OutboundMessage) -> Bool {
        guard admitsOutbound(bytes: message.frame.readableBytes) else { return false }
        writeAndFlush(message.frame)
        return true
    }

    /// Writes and flushes a message encoded once for every connection (`OutboundMessage.ping`,
    /// `.pong`), counted for the app. Called on `loop`.
    func send(shared message: OutboundMessage) {
        guard send(message) else { return }
        counters.sentFrame(payload: message.payloadBytes)
    }

    func flush() {
        guard !isClosed else { return }
        transport.flushFrames()
    }

    private func write(_ frame: ByteBuffer) { transport.writeFrame(frame) }

    private func writeAndFlush(_ frame: ByteBuffer) { transport.writeFrameAndFlush(frame) }

    /// Writes and flushes one text message. Called on `loop`.
    func send(_ text: String) {
        let length = text.utf8.count
        guard admitsOutbound(bytes: length) else { return }
        counters.sentFrame(payload: length)
        transport.writeTextFrameAndFlush(text)
    }

    /// Answers a client's ping with a pong carrying the same data, within the same budget as
    /// every other write: a client that pings and never reads is closed, not buffered for.
    func pong(_ data: ByteBuffer) {
        guard admitsOutbound(bytes: data.readableBytes) else { return }
        counters.sentFrame(payload: data.readableBytes)
        writeAndFlush(ServerFrame.encode(.pong, data, allocator: Self.allocator))
    }

    /// The one outbound budget of a connection. Bytes written while the socket is below its
    /// high-water mark go straight to the kernel; bytes written while it is above it are counted,
    /// and past `maxBacklog` the connection is closed with 4100 (not waited for). False once
    /// closed and for a write that went over the budget.
    private func admitsOutbound(bytes: Int) -> Bool {
        guard !isClosed else { return false }
        if !writable {
            backlogBytes += bytes
            if backlogBytes > maxBacklog {
                overBudget()
                return false
            }
        }
        return true
    }

    /// Over budget: the socket is not draining, so nothing more is queued but the close frame
    /// (one small frame past the bound: a client that reads again learns 4100); the socket is
    /// closed after the handshake timeout, whatever is still queued then is dropped.
    private func overBudget() {
        let message = "Outbound backlog exceeded \(maxBacklog) bytes; the client is not reading"
        counters.rejected("outbound budget")
        closeSilently(code: CloseCode.overCapacity.rawValue, message: message)
    }

    /// The socket drained below its low-water mark.
    func writabilityChanged() {
        writable = transport.isWritable
        if writable { backlogBytes = 0 }
    }

    /// Sends `pusher:error` with the code, a close frame with the same code, and closes. On `loop`.
    func close(_ reason: CloseReason) {
        guard !isClosed else { return }
        let error = Self.allocator.buffer(
            string: ServerMessage.error(code: reason.code.rawValue, message: reason.message))
        guard admitsOutbound(bytes: error.readableBytes) else { return }
        counters.sentFrame(payload: error.readableBytes)
        write(ServerFrame.encode(.text, error, allocator: Self.allocator))
        closeSilently(code: reason.code.rawValue, message: reason.message)
    }

    /// How long the server waits for the client's close frame after sending its own.
    static let closeHandshakeTimeout: TimeAmount = .seconds(5)

    /// Starts the closing handshake (RFC 6455 §7.1.2): sends a close frame and keeps the socket
    /// open until the client answers with its own (`closeHandshakeCompleted`) or the timeout.
    func closeSilently(code: UInt16, message: String) {
        guard !isClosed else { return }
        isClosed = true
        closeCode = code
        let payload = Self.closePayload(code: code, message: message, allocator: Self.allocator)
        counters.sentFrame(payload: payload.readableBytes)
        writeAndFlush(ServerFrame.encode(.close, payload, allocator: Self.allocator))
        transport.close(after: Self.closeHandshakeTimeout)
    }

    /// Fails the connection after a frame that broke the rules (RFC 6455 §7.1.7): a close frame
    /// with the code, then the socket is closed once it is written. The client's answering close
    /// frame could not be read anyway (nothing after the bad frame is).
    func fail(code: UInt16, message: String) {
        guard !isClosed else { return }
        closeAfterCloseFrame(code: code, message: message)
    }

    /// Answers a client-initiated close (with the code `InboundFrameRules` chose: the client's
    /// own when valid), then closes the socket.
    func answerClose(code: UInt16) {
        guard !isClosed else {
            transport.closeNow()
            return
        }
        closeAfterCloseFrame(code: code, message: "")
    }

    /// The ending without a handshake to wait for: the close frame, then the socket closed once
    /// it is written.
    private func closeAfterCloseFrame(code: UInt16, message: String) {
        isClosed = true
        closeCode = code
        let payload = Self.closePayload(code: code, message: message, allocator: Self.allocator)
        counters.sentFrame(payload: payload.readableBytes)
        transport.writeFrameThenClose(ServerFrame.encode(.close, payload, allocator: Self.allocator))
    }

    private static func closePayload(code: UInt16, message: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 2 + message.utf8.count)
        buffer.writeInteger(code)
        buffer.writeString(String(message.utf8.prefix(120)) ?? "")
        return buffer
    }

    /// Runs `body` on the connection's loop (inline when already there).
    func onLoop(_ body: @escaping @Sendable (Connection) -> Void) {
        if loop.inEventLoop {
            body(self)
        } else {
            loop.execute { body(self) }
        }
    }
}
