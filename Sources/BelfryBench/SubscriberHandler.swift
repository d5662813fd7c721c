import NIOCore
import NIOWebSocket

/// One subscriber after the WebSocket upgrade: timestamped frames go straight to the loop's
/// stats; anything else drives the handshake state machine; pings are answered.
final class SubscriberHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked Sendable: all state is touched only on the channel's event loop.
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let index: Int
    private let target: Int
    private let stats: LoopStats
    private let signal: ReadySignal
    private var machine: SubscriberStateMachine
    private var fragments: ByteBuffer?

    init(index: Int, target: Int, stats: LoopStats, signal: ReadySignal, machine: SubscriberStateMachine) {
        self.index = index
        self.target = target
        self.stats = stats
        self.signal = signal
        self.machine = machine
    }

    func handlerAdded(context: ChannelHandlerContext) {
        perform(machine.upgraded(), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            if frame.fin {
                message(frame.unmaskedData, context: context)
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            guard var buffer = fragments else { return }
            var part = frame.unmaskedData
            buffer.writeBuffer(&part)
            if frame.fin {
                fragments = nil
                message(buffer, context: context)
            } else {
                fragments = buffer
            }
        case .ping:
            send(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData), context)
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readSlice(length: min(2, data.readableBytes)) ?? ByteBuffer()
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code)),
                promise: nil)
            context.close(promise: nil)
        default:
            break
        }
    }

    /// A complete text or binary message.
    private func message(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        if machine.isReady, let sent = buffer.withUnsafeReadableBytes({ TimestampScanner.scan($0) }) {
            stats.record(index: index, target: target, sentMicros: sent, now: MonotonicClock.micros())
            return
        }
        let action = buffer.withUnsafeReadableBytes { machine.text($0) }
        perform(action, context: context)
    }

    private func perform(_ action: SubscriberStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none: break
        case .ready: signal.succeed(MonotonicClock.micros())
        case .send(let text):
            let data = context.channel.allocator.buffer(string: text)
            send(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: data), context)
        case .fail(let frame):
            signal.fail(.refused(frame))
            context.close(promise: nil)
        }
    }

    private func send(_ frame: WebSocketFrame, _ context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if machine.isReady { stats.closedAfterReady += 1 }
        signal.fail(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        signal.fail(.upgrade(TLSClient.explain(error)))
        context.close(promise: nil)
    }
}
