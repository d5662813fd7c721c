/// `application/x-www-form-urlencoded` query strings, decoded in order.
public enum QueryString {
    /// Splits `a=1&b=x%20y` into decoded pairs; a malformed escape is kept literally.
    /// Works on the UTF-8 bytes in one pass: signed API requests parse their query on every call.
    public static func parse(_ query: Substring) -> [(String, String)] {
        var pairs: [(String, String)] = []
        let utf8 = query.utf8
        var start = utf8.startIndex
        while start < utf8.endIndex {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "&")) ?? utf8.endIndex
            let part = utf8[start..<end]
            if !part.isEmpty {
                if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
                    pairs.append((decode(part[..<eq]), decode(part[utf8.index(after: eq)...])))
                } else {
                    pairs.append((decode(part), ""))
                }
            }
            start = end == utf8.endIndex ? end : utf8.index(after: end)
        }
        return pairs
    }

    /// Percent-decodes `s`; `+` means a space in queries and stays a plus in paths.
    static func decode(_ s: Substring, plusIsSpace: Bool = true) -> String {
        decode(s.utf8, plusIsSpace: plusIsSpace)
    }

    private static func decode(_ s: Substring.UTF8View, plusIsSpace: Bool = true) -> String {
        let percent = UInt8(ascii: "%")
        let plus = UInt8(ascii: "+")
        guard s.contains(where: { $0 == percent || (plusIsSpace && $0 == plus) }) else {
            return String(Substring(s))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.count)
        var it = Array(s)[...]
        while let b = it.popFirst() {
            if plusIsSpace, b == plus {
                bytes.append(0x20)
            } else if b == percent, it.count >= 2, let h = hexValue(it[it.startIndex]),
                let l = hexValue(it[it.startIndex + 1])
            {
                bytes.append(h << 4 | l)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }
}

extension QueryString {
    /// Percent-decodes one path segment (`+` stays a plus).
    public static func decodePath(_ s: Substring) -> String {
        decode(s, plusIsSpace: false)
    }
}
