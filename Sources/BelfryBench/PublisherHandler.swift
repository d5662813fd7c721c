import NIOCore

/// One keep-alive publisher connection: writes pre-formatted requests, parses the responses,
/// and reports each status and round-trip time to the driver.
final class PublisherHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked Sendable: only touched on the publishers' event loop (the driver's loop).
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let driver: PublishDriver
    private var parser = HTTPResponseParser()
    private var writeTimes = CircularBuffer<UInt64>()
    private var context: ChannelHandlerContext?

    init(driver: PublishDriver) { self.driver = driver }

    /// Requests written and not yet answered.
    var inFlight: Int { writeTimes.count }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        driver.attach(self)
        context.fireChannelActive()
    }

    /// Writes one request (not flushed; the driver flushes after a batch).
    func write(_ bytes: [UInt8]) {
        guard let context else { return }
        writeTimes.append(MonotonicClock.micros())
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    func flush() { context?.flush() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { bytes in
                try parser.feed(bytes) { status in
                    let sent = writeTimes.popFirst() ?? MonotonicClock.micros()
                    driver.responded(status: status, rttMicros: MonotonicClock.micros() &- sent)
                }
            }
        } catch {
            driver.note("publisher: \(TLSClient.explain(error))")
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        driver.readComplete()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.context = nil
        let lost = writeTimes.count
        writeTimes.removeAll()
        driver.detach(self, unanswered: lost)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        driver.note("publisher: \(TLSClient.explain(error))")
        context.close(promise: nil)
    }

    /// Closes the connection at the end of the run.
    func close() { context?.close(promise: nil) }
}
