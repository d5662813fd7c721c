import NIOCore
import PusherProtocol

@testable import BelfryServer

/// The inbound WebSocket path as WebSocketSession runs it: `FrameReader` (maxMessageSize 65536,
/// the frame rules, fragments joined) over the stream in random-sized reads, then what the session
/// does with each message: `ClientMessage.decode` on UTF-8 text payloads and the answer to a
/// close frame. The first byte chooses the read sizes; the rest is the stream.
///
/// Checks: no trap; no delivered message larger than maxMessageSize; only text, binary and
/// control messages come out; a close answer is a code that may be sent; the reader never
/// consumes a byte it was not given and reads nothing after a violation.
let maxMessageSize = 1 << 16

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocket(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    var reader = FrameReader(maxMessageSize: maxMessageSize)
    var buffer = ByteBuffer()
    var random = UInt64(input[0]) &+ 0x9E37_79B9_7F4A_7C15
    var stream = input[1...]
    while !stream.isEmpty {
        random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let piece = stream.prefix(1 + Int(random >> 33) % 97)
        stream = stream.dropFirst(piece.count)
        buffer.writeBytes(piece)
        while true {
            let before = buffer.readableBytes
            let step = reader.next(&buffer)
            precondition(buffer.readableBytes <= before, "the reader grew the buffer")
            switch step {
            case .needMore:
                break
            case .message(let opcode, let payload):
                handle(opcode, payload)
                continue
            case .violation:
                precondition(reader.failed)
                precondition(reader.next(&buffer) == .needMore, "read on after a violation")
                return 0  // the server closes the connection
            }
            break
        }
    }
    return 0
}

/// What WebSocketSession does with a message, minus the I/O.
private func handle(_ opcode: FrameReader.Opcode, _ bytes: [UInt8]) {
    precondition(bytes.count <= maxMessageSize, "a \(bytes.count)-byte message passed the limits")
    switch opcode {
    case .close:
        let code = InboundFrameRules.answer(toClosePayload: bytes)
        precondition(InboundFrameRules.isValidReceived(code: code), "answers a close with code \(code)")
    case .text where InboundFrameRules.isUTF8(bytes):
        _ = ClientMessage.decode(bytes)
    case .continuation:
        preconditionFailure("a continuation frame came out as a message")
    default:
        break
    }
}
