import BelfryManifest
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import PusherProtocol
import Testing

@testable import BelfryServer

/// Pipelined HTTP publishes read together: every one is answered in order, and a subscriber gets
/// all of their events in one flush at the end of the tick, not one flush per publish.
@Suite struct PipelinedPublishTests {
    let app = App(name: "a", id: "1", key: "key", secret: "secret")

    private func signedEvent(_ name: String) -> String {
        let body = #"{"name":"\#(name)","channel":"c","data":"{}"}"#
        var query: [(String, String)] = [
            ("auth_key", app.key), ("auth_timestamp", String(Int(Date().timeIntervalSince1970))),
            ("auth_version", "1.0"), ("body_md5", Signature.md5Hex(Array(body.utf8))),
        ]
        let path = "/apps/\(app.id)/events"
        let signature = SigningKey(secret: app.secret).hex(
            RequestSignature.stringToSign(method: "POST", path: path, query: query))
        query.append(("auth_signature", signature))
        let target = path + "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return "POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// An HTTP connection and a subscriber of channel `c` on one event loop.
    private func setUp() throws -> (EmbeddedEventLoop, EmbeddedChannel, EmbeddedChannel, Connection) {
        let loop = EmbeddedEventLoop()
        let context = ServerContext(
            store: ConfigStore(ConfigSnapshot(apps: [app])), options: ServerOptions(), logger: Logger(label: "test"),
            loopIndices: [:])
        let subscriberChannel = EmbeddedChannel(loop: loop)
        try subscriberChannel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        let subscriber = Connection(
            socketID: "1.1", appID: app.id, channel: subscriberChannel, loopIndex: 0, maxBacklog: 1 << 20)
        context.hubs.hub(for: app.id).subscribe(subscriber, channel: "c")
        let http = EmbeddedChannel(handler: HTTPHandler(context: context), loop: loop)
        return (loop, http, subscriberChannel, subscriber)
    }

    @Test func pipelinedPublishesShareOneFlushPerSubscriber() throws {
        let (loop, http, subscriberChannel, subscriber) = try setUp()
        try http.writeInbound(ByteBuffer(string: signedEvent("one") + signedEvent("two") + signedEvent("three")))

        var responses = ""
        while let part = try http.readOutbound(as: ByteBuffer.self) { responses += String(buffer: part) }
        #expect(responses.components(separatedBy: "HTTP/1.1 200 OK").count == 4, "\(responses)")
        // Written, not yet flushed: the tick is not over.
        #expect(subscriber.flushPending)
        #expect(try subscriberChannel.readOutbound(as: ByteBuffer.self) == nil)

        loop.run()
        var events: [String] = []
        while let frame = try subscriberChannel.readOutbound(as: ByteBuffer.self) {
            events.append(String(buffer: frame))
        }
        #expect(events.count == 3)
        #expect(zip(events, ["one", "two", "three"]).allSatisfy { $0.contains("\"event\":\"\($1)\"") }, "\(events)")
    }

    /// A single publish is still flushed at once (the lowest latency when nothing is pipelined).
    @Test func aLonePublishIsFlushedAtOnce() throws {
        let (loop, http, subscriberChannel, _) = try setUp()
        try http.writeInbound(ByteBuffer(string: signedEvent("alone")))
        let frame = try #require(try subscriberChannel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: frame).contains("\"event\":\"alone\""))
        loop.run()
    }
}
