import NIOCore

/// A session served by a NIO channel: the session is the upgraded channel's one handler, its
/// context is the connection's transport, and the channel's events go to the session's logic
/// (`WebSocketSession.swift`).
extension WebSocketSession: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func handlerAdded(context channelContext: ChannelHandlerContext) { opened(channelContext) }

    func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
        read(unwrapInboundIn(data), from: channelContext)
    }

    func channelWritabilityChanged(context channelContext: ChannelHandlerContext) {
        writabilityChanged(channelContext)
        channelContext.fireChannelWritabilityChanged()
    }

    /// NIO removes every handler of a closed channel.
    func handlerRemoved(context channelContext: ChannelHandlerContext) { released(channelContext) }

    func channelInactive(context channelContext: ChannelHandlerContext) {
        closed(channelContext)
        channelContext.fireChannelInactive()
    }

    func errorCaught(context channelContext: ChannelHandlerContext, error: Error) {
        logger.debug(
            "websocket error",
            metadata: ["error": "\(error)", "remote": "\(LogFields.remote(channelContext.remoteAddress))"])
        channelContext.close(promise: nil)
    }
}
