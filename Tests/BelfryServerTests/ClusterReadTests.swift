import BelfryManifest
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import PusherProtocol
import Testing

@testable import BelfryServer

/// In a cluster the HTTP API's reads are answered by Redis, later: the connection waits for the
/// answer, and requests pipelined behind it are answered after it, in order.
@Suite struct ClusterReadTests {
    let app = App(name: "a", id: "1", key: "key", secret: "secret")

    /// A cluster whose answers the test releases by hand.
    final class HeldCluster: ClusterLink, @unchecked Sendable {
        let held = NIOLockedValueBox<[@Sendable () -> Void]>([])
        let broadcasts = NIOLockedValueBox<[ClusterMessage]>([])
        var isConnected: Bool { true }
        func channelChanged(appID: String, channel: String, userID: String?) {}
        func join(
            appID: String, channel: String, userID: String, maxMembers: Int?,
            _ reply: @escaping @Sendable (ClusterJoin) -> Void
        ) { reply(.local) }
        func broadcast(_ message: ClusterMessage) { broadcasts.withLockedValue { $0.append(message) } }
        func claimCacheMiss(appID: String, channel: String, _ reply: @escaping @Sendable (Bool) -> Void) {
            reply(true)
        }
        func cachedEvent(
            appID: String, channel: String,
            _ reply: @escaping @Sendable ((entry: ClusterCacheEntry, remainingMs: Int)?) -> Void
        ) { reply(nil) }
        func remoteConnections(appID: String) -> Int { 0 }
        func counts(
            appID: String, channels: [String],
            _ reply: @escaping @Sendable (Result<[String: ClusterChannelCounts], ClusterUnavailable>) -> Void
        ) {
            held.withLockedValue {
                $0.append { reply(.success(["c": ClusterChannelCounts(subscriptionCount: 7, userCount: 0)])) }
            }
        }
        func occupiedChannels(
            appID: String, prefix: String,
            _ reply: @escaping @Sendable (Result<[String: ClusterChannelCounts], ClusterUnavailable>) -> Void
        ) {
            held.withLockedValue { $0.append { reply(.failure(ClusterUnavailable("redis link down"))) } }
        }
        func users(
            appID: String, channel: String, _ reply: @escaping @Sendable (Result<[String], ClusterUnavailable>) -> Void
        ) { reply(.success([])) }
        func readiness() -> Readiness.Outcome { Readiness.Outcome() }

        func release() {
            let answers = held.withLockedValue { held in
                defer { held = [] }
                return held
            }
            for answer in answers { answer() }
        }
    }

    private func signed(_ method: String, _ path: String, body: String = "", query extra: [(String, String)] = [])
        -> String
    {
        var query: [(String, String)] =
            extra + [
                ("auth_key", app.key), ("auth_timestamp", String(Int(Date().timeIntervalSince1970))),
                ("auth_version", "1.0"),
            ]
        if method == "POST" { query.append(("body_md5", Signature.md5Hex(Array(body.utf8)))) }
        let signature = SigningKey(secret: app.secret).hex(
            RequestSignature.stringToSign(method: method, path: path, query: query))
        query.append(("auth_signature", signature))
        let target = path + "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return "\(method) \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    private func setUp() throws -> (EmbeddedChannel, HeldCluster) {
        let cluster = HeldCluster()
        var options = ServerOptions()
        options.cluster = cluster
        let context = ServerContext(
            store: ConfigStore(ConfigSnapshot(apps: [app])), options: options, logger: Logger(label: "test"),
            loopIndices: [:])
        let http = EmbeddedChannel(handler: HTTPHandler(context: context), loop: EmbeddedEventLoop())
        // Active, as an accepted socket is: an answer for a closed connection is dropped.
        try http.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (http, cluster)
    }

    private func responses(_ http: EmbeddedChannel) throws -> String {
        var text = ""
        while let part = try http.readOutbound(as: ByteBuffer.self) { text += String(buffer: part) }
        return text
    }

    @Test func requestsBehindAClusterReadWaitAndKeepTheirOrder() throws {
        let (http, cluster) = try setUp()
        let event = #"{"name":"e","channel":"c","data":"{}"}"#
        try http.writeInbound(
            ByteBuffer(
                string: signed("GET", "/apps/1/channels/c", query: [("info", "subscription_count")])
                    + signed("POST", "/apps/1/events", body: event)))
        #expect(try responses(http).isEmpty, "nothing before the cluster answers")
        #expect(cluster.broadcasts.withLockedValue { $0 }.isEmpty, "the publish behind it waits too")
        cluster.release()
        (http.eventLoop as! EmbeddedEventLoop).run()
        let text = try responses(http)
        let first = try #require(text.range(of: #"{"occupied":true,"subscription_count":7}"#))
        let second = try #require(text.range(of: "HTTP/1.1 200 OK", range: first.upperBound..<text.endIndex))
        #expect(text[second.upperBound...].contains("{}"))
        #expect(cluster.broadcasts.withLockedValue { $0.count } == 1, "the event went to the other nodes")
    }

    @Test func aClusterThatCannotAnswerGives503WithTheReason() throws {
        let (http, cluster) = try setUp()
        try http.writeInbound(ByteBuffer(string: signed("GET", "/apps/1/channels")))
        cluster.release()
        (http.eventLoop as! EmbeddedEventLoop).run()
        let text = try responses(http)
        #expect(text.hasPrefix("HTTP/1.1 503"), "\(text)")
        #expect(text.contains("redis link down"))
    }
}
