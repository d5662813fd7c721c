import NIOCore

/// The public port's HTTP/1.1 side on a NIO channel: an `HTTPConnection` reading the channel,
/// written through the handler's context. A WebSocket upgrade replaces this handler with the
/// `WebSocketSession`.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler, HTTPConnectionHost {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let context: ServerContext
    private let connection: HTTPConnection
    private var channelContext: ChannelHandlerContext?

    /// - Parameter descriptors: the budget this accepted socket was counted in, given back when
    ///   it closes (nil in tests).
    init(context: ServerContext, descriptors: DescriptorBudget? = nil) {
        self.context = context
        self.connection = HTTPConnection(context: context, descriptors: descriptors)
    }

    func handlerAdded(context channelContext: ChannelHandlerContext) {
        self.channelContext = channelContext
        connection.start(channelContext, host: self)
    }

    func handlerRemoved(context channelContext: ChannelHandlerContext) {
        connection.closed()
        self.channelContext = nil
    }

    func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
        connection.read(unwrapInboundIn(data))
    }

    func channelReadComplete(context channelContext: ChannelHandlerContext) {
        connection.readComplete()
        channelContext.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context channelContext: ChannelHandlerContext) {
        connection.writabilityChanged()
        channelContext.fireChannelWritabilityChanged()
    }

    func errorCaught(context channelContext: ChannelHandlerContext, error: Error) {
        context.logger.debug("http error", metadata: ["error": "\(error)"])
        channelContext.close(promise: nil)
    }

    var peer: SocketAddress? { channelContext?.channel.remoteAddress }

    /// The session joins the pipeline behind this handler (its `handlerAdded` opens it), the 101
    /// and its first frame are flushed, the leftover bytes are read by it, and this handler goes.
    func handOver(to session: WebSocketSession, leftover: ByteBuffer) -> Bool {
        guard let channelContext else { return false }
        do {
            try channelContext.pipeline.syncOperations.addHandler(session)
        } catch {
            context.logger.warning("websocket upgrade failed", metadata: ["error": "\(error)"])
            return false
        }
        channelContext.flush()
        if leftover.readableBytes > 0 { channelContext.fireChannelRead(NIOAny(leftover)) }
        channelContext.pipeline.syncOperations.removeHandler(context: channelContext, promise: nil)
        return true
    }
}
