import NIOConcurrencyHelpers
import NIOCore

/// How long to wait before the next reconnect: 100 ms doubling to a cap, with ±20 % jitter so
/// nodes that lost Redis together do not return in lockstep. Pure.
public struct Backoff: Sendable, Equatable {
    public var first: Double = 0.1
    public var cap: Double = 5
    public private(set) var attempts = 0

    public init(first: Double = 0.1, cap: Double = 5) {
        self.first = first
        self.cap = cap
    }

    /// Seconds to wait before the next attempt; `random` is uniform in 0..<1.
    public mutating func next(random: Double) -> Double {
        let base = min(cap, first * Double(1 << min(attempts, 30)))
        attempts += 1
        return base * (0.8 + 0.4 * random)
    }

    public mutating func reset() { attempts = 0 }
}

/// A connection to Redis that stays up: it reconnects with `Backoff` after any failure, and a
/// subscriber link re-subscribes its channels and patterns each time. Commands sent while it is
/// down fail at once with `.closed`: callers decide (the cluster keeps serving local clients).
public final class RedisLink: Sendable {
    public enum State: Sendable, Equatable {
        case connecting
        case connected
        /// Down, with the last reason; reconnecting.
        case down(String)
    }

    private struct Shared {
        var connection: RedisConnection?
        var state: State = .connecting
        var channels: Set<[UInt8]> = []
        var patterns: Set<[UInt8]> = []
        var stopped = false
        var task: Task<Void, Never>?
        var reading = true
    }

    public let url: RedisURL
    private let group: any EventLoopGroup
    private let onMessage: (@Sendable (RedisConnection.Message) -> Void)?
    private let onState: (@Sendable (State) -> Void)?
    private let shared = NIOLockedValueBox(Shared())
    private let connectTimeout: TimeAmount

    /// - Parameters:
    ///   - onMessage: set for a subscriber link: every pub/sub message, on an event loop.
    ///   - onState: every change of state (connected after a reconnect: re-announce local state).
    public init(
        url: RedisURL, group: any EventLoopGroup, connectTimeout: TimeAmount = .seconds(2),
        onMessage: (@Sendable (RedisConnection.Message) -> Void)? = nil,
        onState: (@Sendable (State) -> Void)? = nil
    ) {
        self.url = url
        self.group = group
        self.onMessage = onMessage
        self.onState = onState
        self.connectTimeout = connectTimeout
    }

    public var state: State { shared.withLockedValue { $0.state } }

    /// Starts connecting (and reconnecting) in the background.
    public func start() {
        let task = Task { await self.maintain() }
        shared.withLockedValue { $0.task = task }
    }

    /// Closes the link for good.
    public func stop() {
        let (connection, task) = shared.withLockedValue { shared -> (RedisConnection?, Task<Void, Never>?) in
            shared.stopped = true
            return (shared.connection, shared.task)
        }
        task?.cancel()
        connection?.close()
    }

    /// Waits until connected, at most `timeout`; whether it is.
    public func waitConnected(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state == .connected { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return state == .connected
    }

    public func send(_ arguments: [String], timeout: TimeAmount = .seconds(2)) async throws(RedisFailure) -> RESPValue {
        guard let connection = shared.withLockedValue({ $0.connection }) else { throw .closed }
        return try await connection.send(arguments, timeout: timeout)
    }

    public func send(bytes arguments: [[UInt8]], timeout: TimeAmount = .seconds(2)) async throws(RedisFailure)
        -> RESPValue
    {
        guard let connection = shared.withLockedValue({ $0.connection }) else { throw .closed }
        return try await connection.send(bytes: arguments, timeout: timeout)
    }

    public func pipeline(_ commands: [[[UInt8]]], timeout: TimeAmount = .seconds(2)) async throws(RedisFailure)
        -> [RESPValue]
    {
        guard let connection = shared.withLockedValue({ $0.connection }) else { throw .closed }
        return try await connection.pipeline(commands, timeout: timeout)
    }

    /// `RedisConnection.submit` on the current connection; fails at once with `.closed` while
    /// the link is down.
    public func submit(
        _ commands: [[[UInt8]]], timeout: TimeAmount = .seconds(2),
        _ done: @escaping @Sendable (Result<[RESPValue], RedisFailure>) -> Void
    ) {
        guard let connection = shared.withLockedValue({ $0.connection }) else { return done(.failure(.closed)) }
        connection.submit(commands, timeout: timeout, done)
    }

    /// Stops reading what Redis sends (`false`) or reads it again (`true`), on this connection and
    /// the ones after a reconnect: a subscriber that cannot keep up stops reading, and Redis keeps
    /// what is published meanwhile, up to its `client-output-buffer-limit pubsub` (past that it
    /// closes the connection, and the link reconnects).
    public func setReading(_ reading: Bool) {
        let connection = shared.withLockedValue { shared -> RedisConnection? in
            shared.reading = reading
            return shared.connection
        }
        connection?.applyReading { [shared] in shared.withLockedValue { $0.reading } }
    }

    /// Subscribes now if connected, and again after every reconnect.
    public func subscribe(channels: [[UInt8]] = [], patterns: [[UInt8]] = []) {
        let connection = shared.withLockedValue { shared -> RedisConnection? in
            shared.channels.formUnion(channels)
            shared.patterns.formUnion(patterns)
            return shared.connection
        }
        connection?.fire(Self.subscriptions(channels: channels, patterns: patterns))
    }

    public func unsubscribe(channels: [[UInt8]]) {
        let connection = shared.withLockedValue { shared -> RedisConnection? in
            shared.channels.subtract(channels)
            return shared.connection
        }
        guard !channels.isEmpty else { return }
        connection?.fire([[Array("UNSUBSCRIBE".utf8)] + channels])
    }

    static func subscriptions(channels: [[UInt8]], patterns: [[UInt8]]) -> [[[UInt8]]] {
        var commands: [[[UInt8]]] = []
        if !channels.isEmpty { commands.append([Array("SUBSCRIBE".utf8)] + channels) }
        if !patterns.isEmpty { commands.append([Array("PSUBSCRIBE".utf8)] + patterns) }
        return commands
    }

    private func setState(_ state: State) {
        let changed = shared.withLockedValue { shared -> Bool in
            guard shared.state != state else { return false }
            shared.state = state
            return true
        }
        if changed { onState?(state) }
    }

    private func maintain() async {
        var backoff = Backoff()
        while !Task.isCancelled, !shared.withLockedValue({ $0.stopped }) {
            let closed = AsyncStream<Void>.makeStream()
            do {
                let connection = try await RedisConnection.connect(
                    to: url, on: group, timeout: connectTimeout, onMessage: onMessage,
                    onClose: { closed.continuation.finish() })
                let resubscribe = shared.withLockedValue { shared -> [[[UInt8]]]? in
                    guard !shared.stopped else { return nil }
                    shared.connection = connection
                    return Self.subscriptions(channels: Array(shared.channels), patterns: Array(shared.patterns))
                }
                guard let resubscribe else {
                    connection.close()
                    return
                }
                if !resubscribe.isEmpty { connection.fire(resubscribe) }
                connection.applyReading { [shared] in shared.withLockedValue { $0.reading } }
                backoff.reset()
                setState(.connected)
                for await _ in closed.stream {}
                shared.withLockedValue { $0.connection = nil }
                if shared.withLockedValue({ $0.stopped }) { return }
                setState(.down("connection closed"))
            } catch {
                setState(.down("\(error)"))
            }
            let wait = backoff.next(random: Double.random(in: 0..<1))
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }
}
