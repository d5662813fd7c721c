/// `application/x-www-form-urlencoded` query strings, decoded in order.
public enum QueryString {
    /// Splits `a=1&b=x%20y` into decoded pairs; a malformed escape is kept literally.
    /// Works on the contiguous UTF-8 bytes in one pass: signed API requests parse their query
    /// on every call.
    public static func parse(_ query: Substring) -> [(String, String)] {
        if let pairs = query.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0) }) { return pairs }
        var copy = String(query)
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { parse(bytes: $0) } ?? []
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> [(String, String)] {
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(bytes.count { $0 == UInt8(ascii: "&") } + 1)
        var start = 0
        while start < bytes.count {
            var end = start
            var equals: Int?
            while end < bytes.count, bytes[end] != UInt8(ascii: "&") {
                if equals == nil, bytes[end] == UInt8(ascii: "=") { equals = end }
                end += 1
            }
            if end > start {
                if let equals {
                    pairs.append(
                        (
                            decode(UnsafeBufferPointer(rebasing: bytes[start..<equals]), plusIsSpace: true),
                            decode(UnsafeBufferPointer(rebasing: bytes[(equals + 1)..<end]), plusIsSpace: true)
                        ))
                } else {
                    pairs.append((decode(UnsafeBufferPointer(rebasing: bytes[start..<end]), plusIsSpace: true), ""))
                }
            }
            start = end + 1
        }
        return pairs
    }

    /// Percent-decodes `s`; `+` means a space in queries and stays a plus in paths.
    static func decode(_ s: Substring, plusIsSpace: Bool = true) -> String {
        if let decoded = s.utf8.withContiguousStorageIfAvailable({ decode($0, plusIsSpace: plusIsSpace) }) {
            return decoded
        }
        return Array(s.utf8).withUnsafeBufferPointer { decode($0, plusIsSpace: plusIsSpace) }
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> String {
        let percent = UInt8(ascii: "%")
        let plus = UInt8(ascii: "+")
        guard bytes.contains(where: { $0 == percent || (plusIsSpace && $0 == plus) }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if plusIsSpace, b == plus {
                out.append(0x20)
            } else if b == percent, i + 2 < bytes.count, let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2])
            {
                out.append(h << 4 | l)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
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
