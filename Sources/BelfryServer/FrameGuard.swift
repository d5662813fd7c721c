import NIOCore
import NIOWebSocket

/// Sits between the frame decoder and the aggregator and enforces `InboundFrameRules` on every
/// frame: the first frame that breaks a rule is reported to the session as an error (which
/// closes with the rule's code) and nothing after it is read. It also counts every frame's
/// bytes (header included) for the app, once the session has said which app that is.
final class FrameGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    private var failed = false
    /// Set by the session once the handshake names a known app; on the channel's loop only.
    var counters: AppCounters?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let frame = unwrapInboundIn(data)
        counters?.frameBytesIn.wrappingIncrement(
            by: FrameSize.client(payload: frame.length, masked: frame.maskKey != nil), ordering: .relaxed)
        if let violation = InboundFrameRules.violation(of: frame) {
            failed = true
            context.fireErrorCaught(violation)
            return
        }
        context.fireChannelRead(data)
    }
}
