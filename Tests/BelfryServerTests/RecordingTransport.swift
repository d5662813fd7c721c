import BelfryManifest
import Logging
import NIOConcurrencyHelpers
import NIOCore

@testable import BelfryServer

/// A socket for tests: counts the frames written to it and records the reading it was told to
/// pause or resume; lives on `eventLoop`.
final class RecordingTransport: ConnectionTransport, @unchecked Sendable {
    let eventLoop: EventLoop
    let frames = NIOLockedValueBox(0)
    /// `true` for each pause, `false` for each resume, in order.
    let reading = NIOLockedValueBox<[Bool]>([])

    init(_ loop: EventLoop) { eventLoop = loop }

    var isWritable: Bool { true }
    func writeFrame(_ frame: ByteBuffer) { frames.withLockedValue { $0 += 1 } }
    func flushFrames() {}
    func writeFrameAndFlush(_ frame: ByteBuffer) { writeFrame(frame) }
    func writeFrameThenClose(_ frame: ByteBuffer) { writeFrame(frame) }
    func close(after delay: TimeAmount) {}
    func closeNow() {}
    var remoteAddress: SocketAddress? { try? SocketAddress(ipAddress: "127.0.0.1", port: 1) }
    func pauseReading() { reading.withLockedValue { $0.append(true) } }
    func resumeReading() { reading.withLockedValue { $0.append(false) } }
}

/// A server context for `app` on `loops` (indexed in that order), with one subscriber of `channel`
/// on `subscriberLoop`; and that subscriber's socket.
func contextWithSubscriber(
    app: App, loops: [EventLoop], channel: String, on subscriberLoop: EventLoop
) -> (ServerContext, RecordingTransport) {
    var indices: [ObjectIdentifier: Int] = [:]
    for (index, loop) in loops.enumerated() { indices[ObjectIdentifier(loop)] = index }
    let context = ServerContext(
        store: ConfigStore(ConfigSnapshot(apps: [app])), options: ServerOptions(), logger: Logger(label: "test"),
        loopIndices: indices)
    let transport = RecordingTransport(subscriberLoop)
    let subscriber = Connection(
        socketID: "1.1", appID: app.id, transport: transport,
        loopIndex: indices[ObjectIdentifier(subscriberLoop)]!, maxBacklog: 1 << 20)
    context.hubs.hub(for: app.id).subscribe(subscriber, channel: channel)
    return (context, transport)
}
