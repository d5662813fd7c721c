import NIOCore

/// A client's WebSocket byte stream read as messages (RFC 6455 §5): frame headers parsed and
/// checked against `InboundFrameRules` (from the header alone, before the payload arrives),
/// payloads unmasked, fragments joined, control frames passed on between fragments. One value
/// per connection, inside `WebSocketSession`, instead of a chain of five channel handlers. Pure:
/// bytes in, steps out.
struct FrameReader {
    enum Step: Equatable {
        /// No complete frame is buffered yet.
        case needMore
        /// A whole message (text or binary, fragments joined) or a control frame, unmasked.
        case message(Opcode, ByteBuffer)
        /// The stream broke a rule: close with this code. Nothing after it is read.
        case violation(InboundFrameRules.Violation)
    }

    enum Opcode: UInt8 {
        case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA
    }

    /// The largest message (all of its fragments) and the most fragments one message may have.
    let maxMessageSize: Int
    let maxFragments: Int
    /// The message being assembled from fragments: its opcode, payload so far and fragment count.
    private var partial: (opcode: Opcode, payload: ByteBuffer, fragments: Int)?
    private(set) var failed = false

    init(maxMessageSize: Int, maxFragments: Int = 64) {
        self.maxMessageSize = maxMessageSize
        self.maxFragments = maxFragments
    }

    /// Reads the next step from `buffer`, consuming the bytes of every frame it completes (and
    /// nothing of a frame that is not complete yet).
    mutating func next(_ buffer: inout ByteBuffer) -> Step {
        while !failed, let header = Self.header(buffer) {
            if let violation = InboundFrameRules.violation(
                fin: header.fin, reservedBits: header.reservedBits, opcode: header.opcode,
                masked: header.mask != nil, length: header.length)
            {
                return fail(violation)
            }
            guard header.length <= UInt64(maxMessageSize) else { return fail(Self.tooLarge) }
            let length = Int(header.length)
            guard buffer.readableBytes >= header.size + length else { return .needMore }
            buffer.moveReaderIndex(forwardBy: header.size)
            var payload = buffer.readSlice(length: length)!
            if let mask = header.mask { payload = Self.unmasked(payload, key: mask) }
            let opcode = Opcode(rawValue: header.opcode)!
            switch opcode {
            case .close, .ping, .pong:
                return .message(opcode, payload)
            case .text, .binary:
                guard partial == nil else { return fail(Self.badFragmentation) }
                if header.fin { return .message(opcode, payload) }
                partial = (opcode, payload, 1)
            case .continuation:
                guard var message = partial else { return fail(Self.badFragmentation) }
                partial = nil  // `message` now holds the only reference: appending does not copy
                message.fragments += 1
                guard message.payload.readableBytes + payload.readableBytes <= maxMessageSize,
                    message.fragments <= maxFragments
                else { return fail(Self.tooLarge) }
                message.payload.writeBuffer(&payload)
                if header.fin { return .message(message.opcode, message.payload) }
                partial = message
            }
        }
        return .needMore
    }

    static let tooLarge = InboundFrameRules.Violation(code: 1009, reason: "Message too large")
    static let badFragmentation = InboundFrameRules.Violation(code: 1002, reason: "Invalid fragmentation")

    private mutating func fail(_ violation: InboundFrameRules.Violation) -> Step {
        failed = true
        partial = nil
        return .violation(violation)
    }

    private struct Header {
        var fin: Bool
        var reservedBits: UInt8
        var opcode: UInt8
        /// The masking key, first byte in the high bits.
        var mask: UInt32?
        var length: UInt64
        /// Header bytes on the wire.
        var size: Int
    }

    /// The header at the reader index, once all of its bytes are there.
    private static func header(_ buffer: ByteBuffer) -> Header? {
        guard buffer.readableBytes >= 2 else { return nil }
        let start = buffer.readerIndex
        let first = buffer.getInteger(at: start, as: UInt8.self)!
        let second = buffer.getInteger(at: start + 1, as: UInt8.self)!
        let masked = second & 0x80 != 0
        var size = 2
        var length = UInt64(second & 0x7F)
        if length == 126 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = UInt64(extended)
            size += 2
        } else if length == 127 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            length = extended
            size += 8
        }
        var mask: UInt32?
        if masked {
            guard let key = buffer.getInteger(at: start + size, as: UInt32.self) else { return nil }
            mask = key
            size += 4
        }
        return Header(
            fin: first & 0x80 != 0, reservedBits: (first >> 4) & 0x7, opcode: first & 0x0F, mask: mask,
            length: length, size: size)
    }

    /// A copy of `payload` XORed with the masking key (§5.3).
    private static func unmasked(_ payload: ByteBuffer, key: UInt32) -> ByteBuffer {
        var out = ByteBuffer()
        _ = payload.withUnsafeReadableBytes { source in
            out.writeWithUnsafeMutableBytes(minimumWritableBytes: source.count) { target in
                for index in 0..<source.count {
                    target[index] = source[index] ^ UInt8(truncatingIfNeeded: key >> UInt32(24 - 8 * (index & 3)))
                }
                return source.count
            }
        }
        return out
    }
}

/// Frames the server sends: never masked, always final, header and payload in one buffer (one
/// allocation, one iovec).
enum ServerFrame {
    static func encode(_ opcode: FrameReader.Opcode, _ payload: ByteBuffer, allocator: ByteBufferAllocator)
        -> ByteBuffer
    {
        var frame = allocator.buffer(capacity: payload.readableBytes + 10)
        writeHeader(opcode, length: payload.readableBytes, to: &frame)
        var body = payload
        frame.writeBuffer(&body)
        return frame
    }

    /// A text frame written straight from the string: one buffer, no payload copy.
    static func encode(text: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = text.utf8.count
        var frame = allocator.buffer(capacity: length + 10)
        writeHeader(.text, length: length, to: &frame)
        frame.writeString(text)
        return frame
    }

    private static func writeHeader(_ opcode: FrameReader.Opcode, length: Int, to frame: inout ByteBuffer) {
        frame.writeInteger(0x80 | opcode.rawValue)
        switch length {
        case 0...125:
            frame.writeInteger(UInt8(length))
        case 126...Int(UInt16.max):
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
    }
}
