import NIOCore
import NIOHTTP1

/// Sits at the end of the pipeline during the HTTP upgrade and turns a refused upgrade (a non-101
/// answer, an error, an early close) into a failed `ReadySignal`; removed once upgraded.
final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    // @unchecked Sendable: only touched on the channel's event loop.
    typealias InboundIn = HTTPClientResponsePart

    private let signal: ReadySignal

    init(signal: ReadySignal) { self.signal = signal }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            signal.fail(.httpStatus(Int(head.status.code)))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        signal.fail(.upgrade(TLSClient.explain(error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        signal.fail(.closed)
        context.fireChannelInactive()
    }
}
