import NIOCore

/// A client's WebSocket byte stream read as messages (RFC 6455 §5): frame headers parsed and
/// checked against `InboundFrameRules` (from the header alone, before the payload arrives),
/// payloads unmasked, fragments joined, control frames passed on between fragments. One value
/// per connection, inside `WebSocketSession`, instead of a chain of five channel handlers. Pure:
/// bytes in, steps out.
///
/// It reads from raw bytes, so the epoll engine parses straight from its loop's read buffer: a
/// message costs one allocation (its unmasked payload), not a copy of the read, a slice and an
/// unmasked buffer (BENCHMARKS.md, issue 18's twelfth step).
struct FrameReader {
    enum Step: Equatable {
        /// No complete frame is buffered yet.
        case needMore
        /// A whole message (text or binary, fragments joined) or a control frame, unmasked.
        case message(Opcode, [UInt8])
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
    private var partial: (opcode: Opcode, payload: [UInt8], fragments: Int)?
    private(set) var failed = false

    init(maxMessageSize: Int, maxFragments: Int = 64) {
        self.maxMessageSize = maxMessageSize
        self.maxFragments = maxFragments
    }

    /// Reads the next step from the front of `buffer`, consuming the bytes of every frame it
    /// completes (and nothing of a frame that is not complete yet).
    mutating func next(_ buffer: inout ByteBuffer) -> Step {
        var consumed = 0
        let step = buffer.withUnsafeReadableBytes { next($0, consumed: &consumed) }
        buffer.moveReaderIndex(forwardBy: consumed)
        return step
    }

    /// Reads the next step from `bytes`, starting at offset `consumed` and moving it past every
    /// frame it completes (and not into a frame that is not complete yet).
    mutating func next(_ bytes: UnsafeRawBufferPointer, consumed: inout Int) -> Step {
        while !failed, let header = Self.header(bytes, at: consumed) {
            if let violation = InboundFrameRules.violation(
                fin: header.fin, reservedBits: header.reservedBits, opcode: header.opcode,
                masked: header.mask != nil, length: header.length)
            {
                return fail(violation)
            }
            guard header.length <= UInt64(maxMessageSize) else { return fail(Self.tooLarge) }
            let length = Int(header.length)
            let start = consumed + header.size
            guard bytes.count - start >= length else { return .needMore }
            consumed = start + length
            let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<consumed])
            let opcode = Opcode(rawValue: header.opcode)!
            switch opcode {
            case .close, .ping, .pong:
                return .message(opcode, Self.unmasked(payload, key: header.mask))
            case .text, .binary:
                guard partial == nil else { return fail(Self.badFragmentation) }
                if header.fin { return .message(opcode, Self.unmasked(payload, key: header.mask)) }
                partial = (opcode, Self.unmasked(payload, key: header.mask), 1)
            case .continuation:
                guard var message = partial else { return fail(Self.badFragmentation) }
                partial = nil  // `message` now holds the only reference: appending does not copy
                message.fragments += 1
                guard message.payload.count + length <= maxMessageSize, message.fragments <= maxFragments
                else { return fail(Self.tooLarge) }
                Self.appendUnmasked(payload, key: header.mask, to: &message.payload)
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

    /// The header at offset `start` of `bytes`, once all of its bytes are there.
    private static func header(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Header? {
        let available = bytes.count - start
        guard available >= 2 else { return nil }
        /// The big-endian integer of `count` bytes at `offset` from `start`.
        func integer(at offset: Int, count: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in start + offset..<start + offset + count { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        let first = bytes[start]
        let second = bytes[start + 1]
        let masked = second & 0x80 != 0
        var size = 2
        var length = UInt64(second & 0x7F)
        if length == 126 {
            guard available >= 4 else { return nil }
            length = integer(at: 2, count: 2)
            size += 2
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = integer(at: 2, count: 8)
            size += 8
        }
        var mask: UInt32?
        if masked {
            guard available >= size + 4 else { return nil }
            mask = UInt32(integer(at: size, count: 4))
            size += 4
        }
        return Header(
            fin: first & 0x80 != 0, reservedBits: (first >> 4) & 0x7, opcode: first & 0x0F, mask: mask,
            length: length, size: size)
    }

    /// `payload` XORed with the masking key (§5.3), if there is one.
    private static func unmasked(_ payload: UnsafeRawBufferPointer, key: UInt32?) -> [UInt8] {
        var out: [UInt8] = []
        appendUnmasked(payload, key: key, to: &out)
        return out
    }

    private static func appendUnmasked(_ payload: UnsafeRawBufferPointer, key: UInt32?, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: payload)
        guard let key else { return }
        out.withUnsafeMutableBufferPointer { bytes in
            for index in 0..<payload.count {
                bytes[start + index] ^= UInt8(truncatingIfNeeded: key >> UInt32(24 - 8 * (index & 3)))
            }
        }
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

    /// The size of a frame with a payload of `length` bytes.
    static func size(payload length: Int) -> Int { headerSize(length) + length }

    /// A text frame written into `target`, which is `size(payload: text.utf8.count)` bytes: for
    /// a transport that encodes into its own buffer.
    static func encode(text: String, into target: UnsafeMutableRawBufferPointer) {
        var text = text
        text.withUTF8 { utf8 in
            let header = writeHeader(.text, length: utf8.count, into: target)
            UnsafeMutableRawBufferPointer(rebasing: target[header...]).copyMemory(from: UnsafeRawBufferPointer(utf8))
        }
    }

    private static func headerSize(_ length: Int) -> Int {
        switch length {
        case 0...125: 2
        case 126...Int(UInt16.max): 4
        default: 10
        }
    }

    private static func writeHeader(_ opcode: FrameReader.Opcode, length: Int, to frame: inout ByteBuffer) {
        frame.writeWithUnsafeMutableBytes(minimumWritableBytes: 10) { target in
            writeHeader(opcode, length: length, into: target)
        }
    }

    /// Writes the header of a frame with a payload of `length` bytes at the start of `target`;
    /// returns its size.
    @discardableResult
    private static func writeHeader(
        _ opcode: FrameReader.Opcode, length: Int, into target: UnsafeMutableRawBufferPointer
    )
        -> Int
    {
        target[0] = 0x80 | opcode.rawValue
        let size = headerSize(length)
        switch size {
        case 2:
            target[1] = UInt8(length)
        case 4:
            target[1] = 126
        default:
            target[1] = 127
        }
        // The extended length, big-endian, in the bytes after the first two.
        for index in 2..<size { target[index] = UInt8(truncatingIfNeeded: length >> (8 * (size - 1 - index))) }
        return size
    }
}
