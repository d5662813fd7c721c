/// JSON string quoting, written once and used by every encoder in the package.
public enum JSONText {
    /// `s` as a JSON string literal, quotes included.
    public static func quoted(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 2)
        appendQuoted(s, to: &out)
        return out
    }

    /// Appends `s` as a JSON string literal; escapes quotes, backslashes and control characters.
    public static func appendQuoted(_ s: String, to out: inout String) {
        out.append("\"")
        var needsEscape = false
        for byte in s.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            out.append(s)
            out.append("\"")
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 16)
        appendEscaped(s, to: &bytes)
        out.append(String(decoding: bytes, as: UTF8.self))
        out.append("\"")
    }

    /// Appends `s` as a JSON string literal to UTF-8 bytes (quotes included).
    public static func appendQuoted(_ s: String, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        appendEscaped(s, to: &bytes)
        bytes.append(0x22)
    }

    /// Appends the inside of a JSON string literal: quotes, backslashes and control characters
    /// escaped. Only ASCII bytes are ever escaped, so multi-byte UTF-8 sequences pass through.
    private static func appendEscaped(_ s: String, to bytes: inout [UInt8]) {
        // Most strings (ids, names, addresses) need no escape: checked and copied in one go.
        let copied = s.utf8.withContiguousStorageIfAvailable { raw in
            guard !raw.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            bytes.append(contentsOf: raw)
            return true
        }
        if copied == true { return }
        for byte in s.utf8 {
            switch byte {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0x08: bytes += [0x5C, UInt8(ascii: "b")]
            case 0x0C: bytes += [0x5C, UInt8(ascii: "f")]
            case 0..<0x20:
                bytes += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
