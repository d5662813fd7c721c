import NIOCore

/// Answers a socket accepted past the descriptor budget's hard limit without parsing it: a
/// liveness probe (`GET /healthz`) still learns the process is alive, anything else gets 503 with
/// `Retry-After`; then the socket is closed. It waits at most one second for the request.
final class CapacityResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var answered = false
    private var timeout: Scheduled<Void>?

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timeout = context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        let request = unwrapInboundIn(data)
        let probe =
            request.readableBytesView.starts(with: "GET /healthz".utf8)
            || request.readableBytesView.starts(with: "HEAD /healthz".utf8)
        let body =
            probe
            ? #"{"status":"ok"}"#
            : #"{"error":"The server is out of connection capacity; retry later"}"#
        var response = context.channel.allocator.buffer(capacity: 160)
        response.writeString(
            (probe ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n")
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                + body)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(response)).whenComplete { _ in channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
