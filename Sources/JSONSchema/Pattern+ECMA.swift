extension Pattern {
    /// ECMA-262 `\s`: WhiteSpace (tab, VT, FF, space, NBSP, ZWNBSP U+FEFF, Space_Separator) and
    /// LineTerminator. Swift's `\s` lacks U+FEFF and adds U+0085, hence the explicit set.
    /// (U+2000…U+200A are listed one by one: Swift's parser rejects that range.)
    static let ecmaSpace =
        #"\t\n\x{0B}\f\r \x{A0}\x{1680}"# + (0x2000...0x200A).map { #"\x{"# + String($0, radix: 16) + "}" }.joined()
        + #"\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}"#

    /// ECMA-262 `.`: anything but a line terminator (Swift's `.` also refuses VT, FF and U+0085).
    static let ecmaDot = #"[^\n\r\x{2028}\x{2029}]"#

    /// Rewrites the ECMA-262 constructs that Swift `Regex` reads differently into Swift syntax:
    /// `\cX` control escapes, `\s` / `\S`, `.`, the classes `[]` and `[^]`, and inside a class a
    /// literal `[` (Swift would open a nested class) and `&` / `~` (Swift set operators `&&`,
    /// `~~`). Everything else passes through unchanged.
    static func swiftSyntax(forECMA source: String) -> String {
        var out = ""
        var inClass = false
        var scalars = source.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let scalar = pending ?? scalars.next() {
            pending = nil
            switch scalar {
            case "\\":
                guard let escaped = scalars.next() else {
                    out += "\\"
                    break
                }
                switch escaped {
                case "c":
                    let letter = scalars.next()
                    if let letter, letter.isASCII, letter.properties.isAlphabetic {
                        out += "\\x{" + String(letter.value % 32, radix: 16) + "}"
                    } else {
                        out += "\\\\c"  // ECMA (non-Unicode mode) reads a lone \c as the two characters
                        pending = letter
                    }
                case "s": out += inClass ? ecmaSpace : "[" + ecmaSpace + "]"
                case "S": out += "[^" + ecmaSpace + "]"
                default: out.unicodeScalars.append(contentsOf: ["\\", escaped])
                }
            case "[" where inClass: out += "\\["
            case "&" where inClass, "~" where inClass: out.unicodeScalars.append(contentsOf: ["\\", scalar])
            case "[":
                var next = scalars.next()
                let negated = next == "^"
                if negated { next = scalars.next() }
                if next == "]" {  // ECMA: "[]" matches nothing, "[^]" any character
                    out += negated ? #"[\x{0}-\x{10FFFF}]"# : "(?!)"
                    continue
                }
                inClass = true
                out += negated ? "[^" : "["
                pending = next
            case "]" where inClass:
                inClass = false
                out += "]"
            case "." where !inClass: out += ecmaDot
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
