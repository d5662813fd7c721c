import NIOCore
import NIOEmbedded
import NIOWebSocket
import PusherProtocol

@testable import BelfryServer

/// The inbound WebSocket path as HTTPHandler builds it after an upgrade (frame decoder with
/// maxFrameSize 65536, protocol error handler, the frame rules, aggregator), then what
/// WebSocketSession does with each frame: `ClientMessage.decode` on UTF-8 text payloads and
/// the answer to a close frame. The first byte chooses the read sizes; the rest is the stream.
///
/// Checks: no trap; no delivered message larger than maxFrameSize; a close answer is a code
/// that may be sent.
let maxFrameSize = 1 << 16

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocket(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
    try! channel.pipeline.syncOperations.addHandlers(
        ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize)),
        WebSocketProtocolErrorHandler(),
        RuleCheck(),
        NIOWebSocketFrameAggregator(
            minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64, maxAccumulatedFrameSize: maxFrameSize))
    var random = UInt64(input[0]) &+ 0x9E37_79B9_7F4A_7C15
    var stream = input[1...]
    while !stream.isEmpty {
        random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let piece = stream.prefix(1 + Int(random >> 33) % 97)
        stream = stream.dropFirst(piece.count)
        do {
            try channel.writeInbound(channel.allocator.buffer(bytes: piece))
            while let frame = try channel.readInbound(as: WebSocketFrame.self) {
                handle(frame)
            }
        } catch {
            return 0  // a protocol error: the server closes the connection
        }
        guard channel.isActive else { return 0 }
    }
    return 0
}

/// What WebSocketSession.channelRead does with a frame, minus the I/O.
private func handle(_ frame: WebSocketFrame) {
    precondition(frame.length <= maxFrameSize, "a \(frame.length)-byte message passed the limits")
    var payload = frame.unmaskedData
    let bytes = payload.readBytes(length: payload.readableBytes) ?? []
    switch frame.opcode {
    case .connectionClose:
        let code = InboundFrameRules.answer(toClosePayload: bytes)
        precondition(InboundFrameRules.isValidReceived(code: code), "answers a close with code \(code)")
    case .text where InboundFrameRules.isUTF8(bytes):
        _ = ClientMessage.decode(bytes)
    default:
        break
    }
}

/// FrameGuard's decision without its counters (which would pull in the rest of the server):
/// the first frame that breaks `InboundFrameRules` ends the stream.
private final class RuleCheck: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let violation = InboundFrameRules.violation(of: unwrapInboundIn(data)) {
            context.fireErrorCaught(violation)
        } else {
            context.fireChannelRead(data)
        }
    }
}
