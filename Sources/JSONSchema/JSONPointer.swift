import BelfryJSON

/// RFC 6901 JSON pointers as escaped strings (`/a~1b/0`), the form locations are reported in.
enum JSONPointer {
    /// `pointer` extended by one reference token, escaping `~` and `/`.
    static func appending(_ pointer: String, _ token: String) -> String {
        pointer + "/" + token.replacingOccurrences("~", with: "~0").replacingOccurrences("/", with: "~1")
    }

    /// `pointer` extended by an array index.
    static func appending(_ pointer: String, _ index: Int) -> String {
        pointer + "/" + String(index)
    }

    /// The unescaped reference tokens of `pointer`; nil unless it is empty or starts with `/`.
    static func tokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        let scalars = pointer.unicodeScalars.dropFirst()
        return scalars.split(separator: "/", omittingEmptySubsequences: false).map {
            String(String.UnicodeScalarView($0)).replacingOccurrences("~1", with: "/")
                .replacingOccurrences("~0", with: "~")
        }
    }

    /// The value `pointer` designates inside `root`, or nil if there is none.
    static func resolve(_ pointer: String, in root: JSONValue) -> JSONValue? {
        guard let tokens = tokens(pointer) else { return nil }
        var current = root
        for token in tokens {
            switch current {
            case .object(let members):
                guard let member = members.first(where: { $0.0 == token }) else { return nil }
                current = member.1
            case .array(let items):
                guard let index = Int(token), String(index) == token, items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Decodes `%XX` escapes (as UTF-8) in a URI fragment; nil if an escape is malformed.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension String {
    /// Literal replacement compared by Unicode scalars (not `Character`s, so a combining mark after
    /// `~` cannot hide it), without Foundation: this module is stdlib-only.
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        let needle = Array(target.unicodeScalars)
        let scalars = Array(unicodeScalars)
        guard !needle.isEmpty, scalars.count >= needle.count else { return self }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == needle[0], scalars[index...].starts(with: needle) {
                out.append(contentsOf: replacement.unicodeScalars)
                index += needle.count
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }
}
