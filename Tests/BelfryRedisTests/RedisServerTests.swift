import BelfryTestSupport
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import BelfryRedis

@Suite(.serialized, .timeLimit(.minutes(1))) struct RedisServerTests {
    let group = MultiThreadedEventLoopGroup.singleton

    /// Starts the links and waits until each is connected (30 s at most).
    private func start(_ links: RedisLink...) async -> Bool {
        for link in links { link.start() }
        for link in links where !(await link.waitConnected(timeout: .seconds(30))) { return false }
        return true
    }

    private func stop(_ links: RedisLink...) {
        for link in links { link.stop() }
    }

    @Test func commandsAndPipelines() async throws {
        let redis = try RedisProcess()
        let url = try RedisURL(parsing: "redis://127.0.0.1:\(redis.port)")
        let connection = try await RedisConnection.connect(to: url, on: group)
        defer { connection.close() }
        #expect(try await connection.send(["SET", "k", "v"]) == .simpleString("OK"))
        #expect(try await connection.send(["GET", "k"]) == .bulk("v"))
        #expect(try await connection.send(["GET", "missing"]) == .bulkString(nil))
        await #expect(throws: RedisFailure.self) { try await connection.send(["NOSUCHCOMMAND"]) }
        // A thousand commands in one write, answered in order.
        let answers = try await connection.pipeline((0..<1000).map { _ in [Array("INCR".utf8), Array("n".utf8)] })
        #expect(answers.map(\.integer) == (1...1000).map { Int64($0) })
        // An error in a pipeline is a value in its place; the others are answered.
        let mixed = try await connection.pipeline([
            [Array("GET".utf8), Array("k".utf8)], [Array("BOGUS".utf8)], [Array("PING".utf8)],
        ])
        #expect(mixed[0] == .bulk("v"))
        if case .error = mixed[1] {} else { Issue.record("expected an error, got \(mixed[1])") }
        #expect(mixed[2] == .simpleString("PONG"))
    }

    /// `rediss://` against a redis-server serving TLS with a private CA: trusted through
    /// `caFile` by address and by name, refused without it.
    @Test func tlsWithAPrivateCertificateAuthority() async throws {
        let redis = try RedisProcess(tls: true)
        let certificates = try #require(redis.certificates)
        for host in ["127.0.0.1", "localhost"] {
            var url = try RedisURL(parsing: "rediss://\(host):\(redis.port)")
            url.caFile = certificates.caFile
            let connection = try await RedisConnection.connect(to: url, on: group)
            #expect(try await connection.send(["SET", "k", host]) == .simpleString("OK"))
            #expect(try await connection.send(["GET", "k"]) == .bulk(host))
            connection.close()
        }
        // The system's authorities do not know the test CA; a CA file without certificates is named.
        await #expect(throws: RedisFailure.self) {
            try await RedisConnection.connect(
                to: try RedisURL(parsing: "rediss://127.0.0.1:\(redis.port)"), on: self.group)
        }
        #expect(RedisConnection.checkCAFile(certificates.caFile) == nil)
        #expect(RedisConnection.checkCAFile(certificates.keyFile) != nil)
        // A plain connection to the TLS port gets no answer it can read.
        await #expect(throws: RedisFailure.self) {
            let plain = try await RedisConnection.connect(
                to: try RedisURL(parsing: "redis://127.0.0.1:\(redis.port)"), on: self.group, timeout: .seconds(2))
            defer { plain.close() }
            try await plain.send(["PING"], timeout: .seconds(2))
        }
    }

    @Test func aDeadlineClosesTheConnection() async throws {
        let redis = try RedisProcess()
        let connection = try await RedisConnection.connect(
            to: try RedisURL(parsing: "redis://127.0.0.1:\(redis.port)"), on: group)
        // BLPOP blocks for 2 s on an empty list; the 200 ms deadline fires first.
        await #expect(throws: RedisFailure.timeout) {
            try await connection.send(["BLPOP", "empty", "2"], timeout: .milliseconds(200))
        }
        // The deadline closed the connection (its replies could no longer be matched).
        try await connection.channel.closeFuture.get()
        #expect(!connection.isOpen)
        await #expect(throws: RedisFailure.closed) { try await connection.send(["PING"]) }
    }

    @Test func aWrongPasswordOrAnUnreachableServerFailsClearly() async throws {
        let redis = try RedisProcess()
        await #expect(throws: RedisFailure.self) {
            try await RedisConnection.connect(
                to: try RedisURL(parsing: "redis://:nope@127.0.0.1:\(redis.port)"), on: self.group)
        }
        let port = try ServerSocket.freePort()
        await #expect(throws: RedisFailure.self) {
            try await RedisConnection.connect(to: try RedisURL(parsing: "redis://127.0.0.1:\(port)"), on: self.group)
        }
    }

    @Test func pubSubSurvivesARedisRestart() async throws {
        let redis = try RedisProcess()
        let url = try RedisURL(parsing: "redis://127.0.0.1:\(redis.port)")
        let received = NIOLockedValueBox<[RedisConnection.Message]>([])
        let states = NIOLockedValueBox<[RedisLink.State]>([])
        let (stateChanges, stateContinuation) = AsyncStream.makeStream(of: RedisLink.State.self)
        let subscriber = RedisLink(
            url: url, group: group, onMessage: { message in received.withLockedValue { $0.append(message) } },
            onState: { state in
                states.withLockedValue { $0.append(state) }
                stateContinuation.yield(state)
            })
        let publisher = RedisLink(url: url, group: group)
        subscriber.subscribe(channels: [Array("belfry:room".utf8)], patterns: [Array("belfry:app:*".utf8)])
        defer { stop(subscriber, publisher) }
        #expect(await start(subscriber, publisher))

        // A SUBSCRIBE takes effect when Redis has read it, which nothing signals: publish until
        // one arrives.
        func publishUntilReceived(_ channel: String, _ payload: String) async throws -> Bool {
            await Poll.until(every: .milliseconds(50)) {
                _ = try? await publisher.send(["PUBLISH", channel, payload])
                return received.withLockedValue { $0.contains { $0.payload == Array(payload.utf8) } }
            }
        }
        #expect(try await publishUntilReceived("belfry:room", "one"))
        #expect(try await publishUntilReceived("belfry:app:1001", "two"))
        let patterned = received.withLockedValue { $0.first { $0.payload == Array("two".utf8) } }
        #expect(patterned?.pattern == Array("belfry:app:*".utf8) && patterned?.channel == Array("belfry:app:1001".utf8))

        // Redis restarts on the same port: both links come back, the subscriptions with them.
        redis.stop()
        // Wait on the link's own report that it went down.
        for await state in stateChanges where state != .connected { break }
        #expect(subscriber.state != .connected)
        await #expect(throws: RedisFailure.closed) { try await publisher.send(["PING"]) }
        try redis.start()
        #expect(await subscriber.waitConnected(timeout: .seconds(10)))
        #expect(await publisher.waitConnected(timeout: .seconds(10)))
        #expect(try await publishUntilReceived("belfry:room", "three"))
        #expect(states.withLockedValue { $0.filter { $0 == .connected }.count } >= 2)
    }
    /// A subscriber that stops reading leaves what is published with Redis (its output buffer for
    /// the connection grows), and gets all of it, in order, once it reads again.
    @Test func aSubscriberThatStopsReadingLeavesTheMessagesWithRedisUntilItResumes() async throws {
        let redis = try RedisProcess()
        let url = try RedisURL(parsing: "redis://127.0.0.1:\(redis.port)")
        let received = NIOLockedValueBox<[[UInt8]]>([])
        let subscriber = RedisLink(
            url: url, group: group, onMessage: { message in received.withLockedValue { $0.append(message.payload) } })
        let publisher = RedisLink(url: url, group: group)
        subscriber.subscribe(channels: [Array("bus".utf8)])
        defer { stop(subscriber, publisher) }
        #expect(await start(subscriber, publisher))
        // No output buffer limit for this test's subscriber: Redis keeps everything.
        _ = try await publisher.send(["CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 0"])
        #expect(
            await Poll.until(every: .milliseconds(50)) {
                _ = try? await publisher.send(["PUBLISH", "bus", "ready"])
                return !received.withLockedValue { $0.isEmpty }
            })

        subscriber.setReading(false)
        // Far more than the sockets' buffers hold on loopback: Redis must keep the rest.
        let count = 256
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        func outputBuffer() async throws -> Int {
            let list = try await publisher.send(["CLIENT", "LIST", "TYPE", "pubsub"]).string ?? ""
            return list.split(separator: " ").compactMap { field in
                field.hasPrefix("omem=") ? Int(field.dropFirst("omem=".count)) : nil
            }.max() ?? 0
        }
        for index in 0..<count {
            _ = try await publisher.send(bytes: [
                Array("PUBLISH".utf8), Array("bus".utf8), Array("\(index):".utf8) + payload,
            ])
        }
        #expect(try await Poll.until { try await outputBuffer() > 1 << 20 }, "Redis holds what was not read")
        let whilePaused = received.withLockedValue { $0.count }
        #expect(whilePaused < count / 2, "read \(whilePaused) of \(count) while paused")

        subscriber.setReading(true)
        #expect(Poll.until(timeout: .seconds(30)) { received.withLockedValue { $0.count } >= count + 1 })
        let order = received.withLockedValue { $0.dropFirst().map { Array($0.prefix { $0 != UInt8(ascii: ":") }) } }
        #expect(
            order.map { String(decoding: $0, as: UTF8.self) }.drop { $0 == "ready" } == (0..<count).map { "\($0)" }[...]
        )
        #expect(try await outputBuffer() == 0)
    }
}
