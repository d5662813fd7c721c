/// What RFC 6455 requires of the frames a server receives, as decisions: the close code to send
/// when a frame breaks a rule, and the code to answer a client's close frame with.
enum InboundFrameRules {
    /// A frame that must end the connection, with the close code to send (§5.1–§5.5, §7.4.1).
    struct Violation: Equatable, Error {
        var code: UInt16
        var reason: String
    }

    /// The rule a single frame breaks, if any, from its header alone: frames from a client are
    /// masked (§5.1), no extension is negotiated so the reserved bits are zero (§5.2), opcodes
    /// 3–7 and B–F are reserved (§5.2), control frames are final and at most 125 bytes (§5.5).
    static func violation(fin: Bool, reservedBits: UInt8, opcode: UInt8, masked: Bool, length: UInt64) -> Violation? {
        if !masked { return Violation(code: 1002, reason: "client frames must be masked") }
        if reservedBits != 0 {
            return Violation(code: 1002, reason: "reserved bits set without a negotiated extension")
        }
        switch opcode {
        case 0x0, 0x1, 0x2:
            return nil
        case 0x8, 0x9, 0xA:
            guard fin, length <= 125 else {
                return Violation(code: 1002, reason: "control frames must be final and at most 125 bytes")
            }
            return nil
        default:
            return Violation(code: 1002, reason: "reserved opcode")
        }
    }

    /// Close codes a peer may send (§7.4.1–§7.4.2): 1000–1003, 1007–1014, and the registered
    /// and private ranges 3000–4999. 1004–1006 and 1015 are never sent on the wire.
    static func isValidReceived(code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    /// The code to answer a client's close frame with, from its payload (unmasked): its own
    /// code when valid, 1000 when it gave none, 1002 for a bad code or a one-byte payload, 1007
    /// for a reason that is not UTF-8.
    static func answer(toClosePayload payload: [UInt8]) -> UInt16 {
        if payload.isEmpty { return 1000 }
        guard payload.count >= 2 else { return 1002 }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard isValidReceived(code: code) else { return 1002 }
        guard isUTF8(payload.dropFirst(2)) else { return 1007 }
        return code
    }

    /// Whether bytes are valid UTF-8 (a text frame's payload, a close reason: §8.1).
    static func isUTF8<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
