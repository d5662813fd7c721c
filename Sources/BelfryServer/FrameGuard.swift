import NIOCore
import NIOWebSocket

/// Sits between the frame decoder and the aggregator and enforces `InboundFrameRules` on every
/// frame: the first frame that breaks a rule is reported to the session as an error (which
/// closes with the rule's code) and nothing after it is read.
final class FrameGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    private var failed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let frame = unwrapInboundIn(data)
        if let violation = InboundFrameRules.violation(of: frame) {
            failed = true
            context.fireErrorCaught(violation)
            return
        }
        context.fireChannelRead(data)
    }
}
