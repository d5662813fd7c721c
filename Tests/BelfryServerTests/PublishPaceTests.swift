import BelfryManifest
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import PusherProtocol
import Testing

@testable import BelfryServer

/// A publish whose subscribers live on other event loops is answered once those loops have
/// written it, so a publisher cannot queue work on them faster than they do it; one whose
/// subscribers are all on its own loop (or that has none) is answered at once.
@Suite struct PublishPaceTests {
    let app = App(name: "a", id: "1", key: "key", secret: "secret")

    private func signedPublish() -> HTTPRequest {
        let body = #"{"name":"e","channel":"c","data":"{}"}"#
        var query: [(String, String)] = [
            ("auth_key", app.key), ("auth_timestamp", String(Int(Date().timeIntervalSince1970))),
            ("auth_version", "1.0"), ("body_md5", Signature.md5Hex(Array(body.utf8))),
        ]
        let path = "/apps/\(app.id)/events"
        query.append(
            (
                "auth_signature",
                SigningKey(secret: app.secret).hex(
                    RequestSignature.stringToSign(method: "POST", path: path, query: query))
            ))
        return HTTPRequest(method: "POST", path: path, query: query, body: Array(body.utf8))
    }

    /// A server on two loops with one subscriber of `c` on `subscriberLoop`.
    private func setUp(
        _ group: MultiThreadedEventLoopGroup, subscriberLoop: EventLoop
    ) -> (PusherAPI, RecordingTransport) {
        let (context, transport) = contextWithSubscriber(
            app: app, loops: Array(group.makeIterator()), channel: "c", on: subscriberLoop)
        return (PusherAPI(context: context), transport)
    }

    @Test func aPublishToAnotherLoopIsAnsweredOnceThatLoopHasWrittenIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully { _ in } }
        let loops = Array(group.makeIterator())
        let (api, transport) = setUp(group, subscriberLoop: loops[1])
        // The subscriber's loop is busy until `release` opens.
        let release = ConditionLock(value: false)
        loops[1].execute {
            release.lock(whenValue: true)
            release.unlock()
        }
        let request = signedPublish()
        let answer = try await loops[0].submit { api.handle(request).answer }.get()
        guard case .later(let pending) = answer else {
            Issue.record("answered before the subscriber's loop wrote the event")
            return
        }
        let answered = loops[0].makePromise(of: (Int, Int).self)
        pending.start { response in answered.succeed((response.status, transport.frames.withLockedValue { $0 })) }
        #expect(transport.frames.withLockedValue { $0 } == 0)
        release.lock()
        release.unlock(withValue: true)
        let (status, framesWhenAnswered) = try await answered.futureResult.get()
        #expect(status == 200)
        #expect(framesWhenAnswered == 1, "the answer came after the subscriber's loop had written the event")
    }

    private func rawPublish() -> String {
        let request = signedPublish()
        let target = request.path + "?" + request.query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let body = String(decoding: request.body, as: UTF8.self)
        return "POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: \(request.body.count)\r\n\r\n\(body)"
    }

    /// An HTTP connection and a subscriber on another loop, which is held busy until the
    /// returned lock opens.
    private func setUpHTTP(_ group: MultiThreadedEventLoopGroup) async throws -> (
        NIOAsyncTestingChannel, RecordingTransport, ConditionLock<Bool>
    ) {
        let subscriberLoop = group.next()
        let httpLoop = NIOAsyncTestingEventLoop()
        let context = ServerContext(
            store: ConfigStore(ConfigSnapshot(apps: [app])), options: ServerOptions(), logger: Logger(label: "test"),
            loopIndices: [ObjectIdentifier(httpLoop): 0, ObjectIdentifier(subscriberLoop): 1])
        let transport = RecordingTransport(subscriberLoop)
        let subscriber = Connection(
            socketID: "1.1", appID: app.id, transport: transport, loopIndex: 1, maxBacklog: 1 << 20)
        context.hubs.hub(for: app.id).subscribe(subscriber, channel: "c")
        let http = NIOAsyncTestingChannel(loop: httpLoop)
        try await httpLoop.executeInContext {
            try http.pipeline.syncOperations.addHandler(HTTPHandler(context: context))
        }
        try await http.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        let release = ConditionLock(value: false)
        subscriberLoop.execute {
            release.lock(whenValue: true)
            release.unlock()
        }
        return (http, transport, release)
    }

    /// The number of `200 OK`s written since the last call.
    private func answers(_ http: NIOAsyncTestingChannel) async throws -> Int {
        var text = ""
        while let part = try await http.readOutbound(as: ByteBuffer.self) { text += String(buffer: part) }
        return text.components(separatedBy: "HTTP/1.1 200 OK").count - 1
    }

    /// Polls (a turn of the HTTP loop each time, 10 s at most) until `count` more answers came.
    private func waitForAnswers(_ count: Int, _ http: NIOAsyncTestingChannel) async throws -> Int {
        let deadline = NIODeadline.now() + .seconds(10)
        var seen = 0
        while seen < count, NIODeadline.now() < deadline {
            try await http.testingEventLoop.executeInContext {}
            seen += try await answers(http)
        }
        return seen
    }

    /// Publishes read together (pipelined) are run together: all but the last are answered at
    /// once, the last once the subscriber's loop has written them all.
    @Test func pipelinedPublishesWaitOnceForTheSubscribersLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let (http, transport, release) = try await setUpHTTP(group)
        try await http.writeInbound(ByteBuffer(string: rawPublish() + rawPublish() + rawPublish()))
        #expect(try await answers(http) == 2, "the first two at once")
        #expect(transport.frames.withLockedValue { $0 } == 0)
        release.lock()
        release.unlock(withValue: true)
        #expect(try await waitForAnswers(1, http) == 1)
        #expect(transport.frames.withLockedValue { $0 } == 3, "the last answer came after all three were written")
    }

    /// A read that ends inside a request: its complete publishes are answered, and the rest is
    /// not read until the subscriber's loop has written them.
    @Test func aReadEndingInsideARequestWaitsForTheSubscribersLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let (http, transport, release) = try await setUpHTTP(group)
        let second = rawPublish()
        let split = second.index(second.startIndex, offsetBy: 20)
        try await http.writeInbound(ByteBuffer(string: rawPublish() + second[..<split]))
        #expect(try await answers(http) == 1)
        try await http.writeInbound(ByteBuffer(string: String(second[split...])))
        #expect(try await answers(http) == 0, "the rest waits")
        #expect(transport.frames.withLockedValue { $0 } == 0)
        release.lock()
        release.unlock(withValue: true)
        #expect(try await waitForAnswers(1, http) == 1)
        #expect(transport.frames.withLockedValue { $0 } == 2)
    }

    @Test func aPublishToItsOwnLoopIsAnsweredAtOnce() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully { _ in } }
        let loops = Array(group.makeIterator())
        let (api, transport) = setUp(group, subscriberLoop: loops[0])
        let request = signedPublish()
        let (answeredNow, frames) = try await loops[0].submit { () -> (Bool, Int) in
            guard case .now(let response) = api.handle(request).answer else { return (false, 0) }
            return (response.status == 200, transport.frames.withLockedValue { $0 })
        }.get()
        #expect(answeredNow)
        #expect(frames == 1)
    }
}
