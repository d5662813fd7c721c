import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// What went wrong talking to Redis, as data.
public enum RedisFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Connecting failed or timed out.
    case connect(String)
    /// The server answered with an error reply (`-ERR …`).
    case server(String)
    /// No answer within the deadline; the connection was closed (its replies can no longer be
    /// matched to requests).
    case timeout
    /// The connection closed, or was never open.
    case closed
    /// The server broke the protocol; the connection was closed.
    case protocolViolation(String)
    /// The connection failed (a TLS handshake refused, a reset); it was closed.
    case broken(String)

    public var description: String {
        switch self {
        case .connect(let why): "cannot connect to Redis: \(why)"
        case .server(let message): "Redis answered: \(message)"
        case .timeout: "Redis did not answer in time"
        case .closed: "the Redis connection is closed"
        case .protocolViolation(let why): "Redis broke the protocol: \(why)"
        case .broken(let why): "the Redis connection failed: \(why)"
        }
    }
}

/// One TCP (or TLS) connection to Redis speaking RESP2: commands are pipelined (any number in
/// flight, answered in order), each with a deadline. In subscriber mode every pushed message
/// goes to `onMessage` and commands are not answered one by one (Redis's pub/sub contract).
public final class RedisConnection: Sendable {
    /// A pub/sub message: the channel (or, for a pattern subscription, the pattern and channel)
    /// and the payload.
    public struct Message: Sendable, Equatable {
        public var pattern: [UInt8]?
        public var channel: [UInt8]
        public var payload: [UInt8]
    }

    let channel: Channel
    private let handler: RESPClientHandler
    public let url: RedisURL

    init(channel: Channel, handler: RESPClientHandler, url: RedisURL) {
        self.channel = channel
        self.handler = handler
        self.url = url
    }

    /// Connects, logs in (`AUTH`) and selects the database; fails within `timeout`.
    /// - Parameters:
    ///   - onMessage: called on the event loop for every pub/sub message (subscriber connections).
    ///   - onClose: called once when the connection closes, for whatever reason.
    public static func connect(
        to url: RedisURL, on group: any EventLoopGroup, timeout: TimeAmount = .seconds(5),
        onMessage: (@Sendable (Message) -> Void)? = nil, onClose: (@Sendable () -> Void)? = nil
    ) async throws(RedisFailure) -> RedisConnection {
        let handler = RESPClientHandler(onMessage: onMessage, onClose: onClose)
        let tls = try url.tls ? tlsContext(url) : nil
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            // An address is checked against the certificate's IP names; only
                            // a name is sent as SNI.
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tls, serverHostname: url.hostIsAddress ? nil : url.host))
                        }
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: url.host, port: url.port).get()
        } catch {
            throw .connect("\(url.host):\(url.port): \(error)")
        }
        let connection = RedisConnection(channel: channel, handler: handler, url: url)
        do {
            if let password = url.password {
                let arguments = url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                _ = try await connection.send(arguments, timeout: timeout)
            }
            if url.database != 0 { _ = try await connection.send(["SELECT", String(url.database)], timeout: timeout) }
            // A TLS handshake fails at the first exchange: make that part of connecting.
            if url.tls, url.password == nil, url.database == 0 {
                _ = try await connection.send(["PING"], timeout: timeout)
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// The TLS context of a `rediss://` URL: full verification, against `caFile`'s authorities
    /// when given, else the system's.
    static func tlsContext(_ url: RedisURL) throws(RedisFailure) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            if let caFile = url.caFile {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .connect("TLS: \(url.caFile.map { "CA file \($0): " } ?? "")\(error)")
        }
    }

    /// Checks that `path` holds at least one PEM certificate (for a start-up error that names
    /// the flag, rather than a failing connection later); nil when it does, else the problem.
    public static func checkCAFile(_ path: String) -> String? {
        do {
            return try NIOSSLCertificate.fromPEMFile(path).isEmpty ? "no PEM certificate in \(path)" : nil
        } catch {
            return "cannot read the certificates in \(path): \(error)"
        }
    }

    /// Sends one command and waits for its answer; an error reply is thrown as `.server`.
    @discardableResult
    public func send(_ arguments: [String], timeout: TimeAmount = .seconds(5)) async throws(RedisFailure) -> RESPValue {
        try await send(bytes: arguments.map { Array($0.utf8) }, timeout: timeout)
    }

    @discardableResult
    public func send(bytes arguments: [[UInt8]], timeout: TimeAmount = .seconds(5)) async throws(RedisFailure)
        -> RESPValue
    {
        let answers = try await pipeline([arguments], timeout: timeout)
        if case .error(let message) = answers[0] { throw .server(message) }
        return answers[0]
    }

    /// Sends several commands in one write and returns their answers in order (error replies
    /// included as `.error` values). One deadline covers them all.
    public func pipeline(_ commands: [[[UInt8]]], timeout: TimeAmount = .seconds(5)) async throws(RedisFailure)
        -> [RESPValue]
    {
        let result = await withCheckedContinuation { continuation in
            submit(commands, timeout: timeout) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Sends commands and calls `done` with their answers in order (error replies included as
    /// `.error` values), on the connection's event loop; one deadline covers them all. Not
    /// `async`: commands submitted one after the other (from any thread, in that order) are
    /// written in that order, which the cluster's absolute state updates rely on.
    public func submit(
        _ commands: [[[UInt8]]], timeout: TimeAmount = .seconds(5),
        _ done: @escaping @Sendable (Result<[RESPValue], RedisFailure>) -> Void
    ) {
        let loop = channel.eventLoop
        let promises = commands.map { _ in loop.makePromise(of: RESPValue.self) }
        let handler = self.handler
        let channel = self.channel
        loop.execute {
            handler.enqueue(commands: commands, promises: promises, timeout: timeout, channel: channel)
        }
        EventLoopFuture.whenAllComplete(promises.map(\.futureResult), on: loop).whenSuccess { results in
            var answers: [RESPValue] = []
            answers.reserveCapacity(results.count)
            for result in results {
                switch result {
                case .success(let value): answers.append(value)
                case .failure(let error):
                    done(.failure(error as? RedisFailure ?? .closed))
                    return
                }
            }
            done(.success(answers))
        }
    }

    /// Sends commands without waiting for answers (`SUBSCRIBE` and friends on a subscriber
    /// connection, whose confirmations arrive as pushes).
    public func fire(_ commands: [[[UInt8]]]) {
        let handler = self.handler
        let channel = self.channel
        channel.eventLoop.execute { handler.fire(commands: commands, channel: channel) }
    }

    /// Reads the socket or stops reading it, as `wanted` says when the channel's loop gets to it:
    /// calls made from several threads in any order leave the latest wish in force.
    func applyReading(_ wanted: @escaping @Sendable () -> Bool) {
        let channel = self.channel
        channel.eventLoop.execute { channel.setOption(ChannelOptions.autoRead, value: wanted()).whenComplete { _ in } }
    }

    public var isOpen: Bool { channel.isActive }

    public func close() {
        channel.close(promise: nil)
    }
}

/// Encodes commands, decodes replies, matches them to requests in order, and routes pub/sub
/// pushes. Confined to its channel's event loop.
final class RESPClientHandler: ChannelDuplexHandler, @unchecked Sendable {
    // @unchecked Sendable: every mutable field is touched on the channel's event loop only.
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var parser = RESPParser()
    private var waiting: [(promise: EventLoopPromise<RESPValue>, deadline: Scheduled<Void>?)] = []
    private var head = 0
    private let onMessage: (@Sendable (RedisConnection.Message) -> Void)?
    private let onClose: (@Sendable () -> Void)?
    private var closed = false

    init(onMessage: (@Sendable (RedisConnection.Message) -> Void)?, onClose: (@Sendable () -> Void)?) {
        self.onMessage = onMessage
        self.onClose = onClose
    }

    func enqueue(
        commands: [[[UInt8]]], promises: [EventLoopPromise<RESPValue>], timeout: TimeAmount, channel: Channel
    ) {
        guard !closed, channel.isActive else {
            for promise in promises { promise.fail(RedisFailure.closed) }
            return
        }
        var buffer = channel.allocator.buffer(capacity: 64)
        for command in commands { buffer.writeBytes(RESPEncoder.command(command)) }
        let deadline: Scheduled<Void> = channel.eventLoop.scheduleTask(in: timeout) { [weak self] () -> Void in
            self?.failAll(RedisFailure.timeout, channel: channel)
        }
        for (index, promise) in promises.enumerated() {
            waiting.append((promise, index == promises.count - 1 ? deadline : nil))
        }
        channel.writeAndFlush(buffer, promise: nil)
    }

    func fire(commands: [[[UInt8]]], channel: Channel) {
        guard !closed, channel.isActive else { return }
        var buffer = channel.allocator.buffer(capacity: 64)
        for command in commands { buffer.writeBytes(RESPEncoder.command(command)) }
        channel.writeAndFlush(buffer, promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes) { parser.append(bytes) }
        do {
            while let value = try parser.next() { route(value) }
        } catch {
            failAll(RedisFailure.protocolViolation("\(error)"), channel: context.channel)
        }
    }

    /// A pub/sub push goes to `onMessage`; anything else answers the oldest waiting request.
    private func route(_ value: RESPValue) {
        if let onMessage, let items = value.elements, let kind = items.first?.string {
            switch (kind, items.count) {
            case ("message", 3):
                if let channel = items[1].bytes, let payload = items[2].bytes {
                    onMessage(.init(pattern: nil, channel: channel, payload: payload))
                }
                return
            case ("pmessage", 4):
                if let pattern = items[1].bytes, let channel = items[2].bytes, let payload = items[3].bytes {
                    onMessage(.init(pattern: pattern, channel: channel, payload: payload))
                }
                return
            case ("subscribe", 3), ("unsubscribe", 3), ("psubscribe", 3), ("punsubscribe", 3):
                return
            default: break
            }
        }
        guard head < waiting.count else { return }  // an answer nobody waits for (a fired command)
        let entry = waiting[head]
        head += 1
        entry.deadline?.cancel()
        entry.promise.succeed(value)
        if head > 64, head * 2 > waiting.count {
            waiting.removeFirst(head)
            head = 0
        }
    }

    private func failAll(_ failure: RedisFailure, channel: Channel) {
        let pending = waiting[head...]
        waiting = []
        head = 0
        for entry in pending {
            entry.deadline?.cancel()
            entry.promise.fail(failure)
        }
        if !pending.isEmpty || failure != .timeout { channel.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        failAll(RedisFailure.closed, channel: context.channel)
        onClose?()
        context.fireChannelInactive()
    }

    /// The requests waiting learn why (a certificate the TLS handshake refused, say), not only
    /// that the connection closed.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(RedisFailure.broken("\(error)"), channel: context.channel)
        context.close(promise: nil)
    }
}
