import BelfryManifest
import BelfryTestSupport
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PusherProtocol
import Testing

@testable import BelfryServer

/// A client event whose subscribers live on other event loops pauses the sender's reading until
/// those loops have run it, so a client cannot queue work on them faster than they do it; one
/// whose subscribers are all on the sender's loop does not pause it.
@Suite struct ClientEventPaceTests {
    let app = App(name: "a", id: "1", key: "key", secret: "secret", clientEvents: true)
    let channel = "private-c"

    /// A client's text frame (masked, as RFC 6455 requires; under 64 KiB).
    static func masked(_ text: String) -> ByteBuffer {
        let payload = Array(text.utf8)
        precondition(payload.count < 1 << 16)
        let length: [UInt8] =
            payload.count < 126
            ? [0x80 | UInt8(payload.count)] : [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        let mask: [UInt8] = [1, 2, 3, 4]
        return ByteBuffer(bytes: [0x81] + length + mask + payload.enumerated().map { $1 ^ mask[$0 % 4] })
    }

    /// A sender on `loops[0]`, subscribed to `channel`, and a subscriber of it on `subscriberLoop`.
    private func setUp(
        _ loops: [EventLoop], subscriberLoop: EventLoop
    ) async throws -> (NIOLoopBound<WebSocketSession>, RecordingTransport, RecordingTransport) {
        let (context, subscriberTransport) = contextWithSubscriber(
            app: app, loops: loops, channel: channel, on: subscriberLoop)
        let sender = RecordingTransport(loops[0])
        let app = self.app
        let channel = self.channel
        let session = try await loops[0].submit {
            let session = WebSocketSession(
                context: context,
                handshake: .init(
                    request: Handshake.read(uri: "/app/\(app.key)?protocol=7&client=js&version=8"), origin: nil,
                    remote: "127.0.0.1:1"))
            session.opened(sender)
            let socketID = try #require(session.connection?.socketID)
            let auth =
                app.key + ":"
                + Signature.hmacHex(
                    secret: app.secret,
                    message: Signature.channelMessage(socketID: socketID, channel: channel, channelData: nil))
            session.read(
                Self.masked(#"{"event":"pusher:subscribe","data":{"channel":"\#(channel)","auth":"\#(auth)"}}"#),
                from: sender)
            return NIOLoopBound(session, eventLoop: loops[0])
        }.get()
        return (session, sender, subscriberTransport)
    }

    private var clientEvent: ByteBuffer { Self.masked(#"{"event":"client-x","channel":"\#(channel)","data":{}}"#) }

    @Test func aClientEventToAnotherLoopPausesReadingUntilThatLoopHasRunIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully { _ in } }
        let loops = Array(group.makeIterator())
        let (bound, sender, subscriber) = try await setUp(loops, subscriberLoop: loops[1])
        #expect(sender.frames.withLockedValue { $0 } == 2, "connection_established and subscription_succeeded")
        // The subscriber's loop is busy until `release` opens.
        let release = ConditionLock(value: false)
        loops[1].execute {
            release.lock(whenValue: true)
            release.unlock()
        }
        let event = clientEvent
        try await loops[0].submit { bound.value.read(event, from: sender) }.get()
        #expect(sender.reading.withLockedValue { $0 } == [true], "paused while the other loop has not run it")
        #expect(subscriber.frames.withLockedValue { $0 } == 0)
        release.lock()
        release.unlock(withValue: true)
        #expect(Poll.until { sender.reading.withLockedValue { $0 } == [true, false] }, "resumed once it has")
        #expect(subscriber.frames.withLockedValue { $0 } == 1)
    }

    @Test func aClientEventToItsOwnLoopDoesNotPause() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully { _ in } }
        let loops = Array(group.makeIterator())
        let (bound, sender, subscriber) = try await setUp(loops, subscriberLoop: loops[0])
        let event = clientEvent
        try await loops[0].submit { bound.value.read(event, from: sender) }.get()
        #expect(subscriber.frames.withLockedValue { $0 } == 1)
        #expect(sender.reading.withLockedValue { $0 }.isEmpty)
    }
}
