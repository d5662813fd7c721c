import NIOCore
import Testing

@testable import BelfryServer

/// The server's reading of a client's byte stream (RFC 6455 §5): masked frames in any read sizes,
/// fragments joined around control frames, and every rule and limit closing with its code.
@Suite struct FrameReaderTests {
    /// A client frame as a browser writes it: masked with `mask`, lengths in 7, 16 or 64 bits.
    static func frame(
        _ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv: UInt8 = 0,
        mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
    ) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | rsv << 4 | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case 0...125: bytes.append(maskBit | UInt8(payload.count))
        case 126...65_535: bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            bytes += [maskBit | 127] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> ($0 * 8)) }
        }
        guard masked else { return bytes + payload }
        return bytes + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    static func text(_ s: String, fin: Bool = true, opcode: UInt8 = 0x1) -> [UInt8] {
        frame(opcode, Array(s.utf8), fin: fin)
    }

    /// Every step the reader takes over `stream` fed in pieces of `piece` bytes.
    static func steps(_ stream: [UInt8], piece: Int = .max, max: Int = 1 << 16) -> [FrameReader.Step] {
        var reader = FrameReader(maxMessageSize: max)
        var buffer = ByteBuffer()
        var steps: [FrameReader.Step] = []
        var offset = 0
        while offset < stream.count {
            let end = Swift.min(stream.count, offset + piece)
            buffer.writeBytes(stream[offset..<end])
            offset = end
            while true {
                let step = reader.next(&buffer)
                if step == .needMore { break }
                steps.append(step)
                if case .violation = step { return steps }
            }
        }
        return steps
    }

    static func message(_ opcode: FrameReader.Opcode, _ s: String) -> FrameReader.Step {
        .message(opcode, Array(s.utf8))
    }

    @Test func aMaskedTextFrameIsUnmaskedAndConsumed() {
        var reader = FrameReader(maxMessageSize: 1024)
        var buffer = ByteBuffer(bytes: Self.text(#"{"event":"pusher:ping","data":{}}"#))
        #expect(reader.next(&buffer) == Self.message(.text, #"{"event":"pusher:ping","data":{}}"#))
        #expect(buffer.readableBytes == 0)
        #expect(reader.next(&buffer) == .needMore)
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func anyReadSizesGiveTheSameMessages(piece: Int) {
        let long = String(repeating: "é", count: 40_000)  // 80,000 bytes: a 64-bit length
        let medium = String(repeating: "m", count: 300)  // a 16-bit length
        let stream = Self.text("a") + Self.text(medium) + Self.frame(0x9, [1, 2]) + Self.text(long) + Self.text("")
        let expected: [FrameReader.Step] = [
            Self.message(.text, "a"), Self.message(.text, medium), .message(.ping, [1, 2]),
            Self.message(.text, long), Self.message(.text, ""),
        ]
        #expect(Self.steps(stream, piece: piece, max: 1 << 17) == expected)
    }

    @Test func fragmentsAreJoinedAndControlFramesPassBetweenThem() {
        let stream =
            Self.text("ab", fin: false) + Self.frame(0x9, Array("p".utf8)) + Self.text("cd", fin: false, opcode: 0)
            + Self.frame(0xA, []) + Self.text("e", opcode: 0) + Self.frame(0x2, [0xFF], fin: false)
            + Self.frame(0x0, [0x00])
        #expect(
            Self.steps(stream, piece: 5) == [
                Self.message(.ping, "p"), Self.message(.pong, ""), Self.message(.text, "abcde"),
                .message(.binary, [0xFF, 0x00]),
            ])
    }

    @Test(
        arguments: [
            (frame(0x1, [1], masked: false), 1002),
            (frame(0x1, [1], rsv: 4), 1002),
            (frame(0x3, [1]), 1002),
            (frame(0xB, []), 1002),
            (frame(0x9, [UInt8](repeating: 1, count: 126)), 1002),
            (frame(0x8, [3, 232], fin: false), 1002),
            (frame(0x0, [1]), 1002),  // a continuation with nothing to continue
            (text("a", fin: false) + text("b"), 1002),  // a new message before the last one ended
            (frame(0x1, [UInt8](repeating: 0x61, count: 1025)), 1009),
            (
                text(String(repeating: "a", count: 600), fin: false)
                    + text(String(repeating: "b", count: 600), opcode: 0), 1009
            ),
        ] as [([UInt8], UInt16)])
    func aBrokenRuleOrLimitIsAViolationWithItsCode(stream: [UInt8], code: UInt16) {
        let steps = Self.steps(stream, piece: 3, max: 1024)
        guard case .violation(let violation) = steps.last else {
            Issue.record("no violation: \(steps)")
            return
        }
        #expect(violation.code == code)
    }

    @Test func aTooLargeFrameIsRefusedFromItsHeaderAlone() {
        var reader = FrameReader(maxMessageSize: 1024)
        var header = ByteBuffer(bytes: Array(Self.frame(0x1, [UInt8](repeating: 0, count: 70_000)).prefix(14)))
        #expect(reader.next(&header) == .violation(FrameReader.tooLarge))
    }

    @Test func sixtyFourFragmentsMakeAMessageAndSixtyFiveAreTooMany() {
        func fragmented(_ count: Int) -> [UInt8] {
            var stream = Self.text("a", fin: false)
            for _ in 0..<(count - 2) { stream += Self.text("a", fin: false, opcode: 0) }
            return stream + Self.text("z", opcode: 0)
        }
        #expect(Self.steps(fragmented(64)) == [Self.message(.text, String(repeating: "a", count: 63) + "z")])
        #expect(Self.steps(fragmented(65)) == [.violation(FrameReader.tooLarge)])
    }

    @Test func nothingIsReadAfterAViolation() {
        var reader = FrameReader(maxMessageSize: 1024)
        var buffer = ByteBuffer(bytes: Self.frame(0x1, [1], masked: false) + Self.text("after"))
        guard case .violation = reader.next(&buffer) else {
            Issue.record("expected a violation")
            return
        }
        #expect(reader.failed)
        #expect(reader.next(&buffer) == .needMore)
    }

    /// The epoll engine's way: frames read in place from a buffer that is only valid during the
    /// call, `consumed` left at the start of the frame that has not all arrived.
    @Test func rawBytesAreReadInPlaceUpToAnIncompleteFrame() {
        let first = Self.text("one")
        let second = Self.frame(0x9, [7, 8, 9])
        let third = Self.text("three")
        let stream = first + second + Array(third.prefix(4))
        var reader = FrameReader(maxMessageSize: 1024)
        var consumed = 0
        stream.withUnsafeBytes { bytes in
            #expect(reader.next(bytes, consumed: &consumed) == Self.message(.text, "one"))
            #expect(consumed == first.count)
            #expect(reader.next(bytes, consumed: &consumed) == .message(.ping, [7, 8, 9]))
            #expect(reader.next(bytes, consumed: &consumed) == .needMore)
        }
        #expect(consumed == first.count + second.count)
        var rest = 0
        third.withUnsafeBytes { bytes in
            #expect(reader.next(bytes, consumed: &rest) == Self.message(.text, "three"))
        }
        #expect(rest == third.count)
    }
}
