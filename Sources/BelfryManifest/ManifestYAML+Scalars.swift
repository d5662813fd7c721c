import Yams

/// Strings: plain when nothing could misread them, else double-quoted; multi-line ones as
/// literal blocks when that keeps every character.
extension ManifestYAML {
    /// `text` as a scalar on one line: plain when safe, otherwise double-quoted.
    /// - Parameter inFlow: inside `[…]` or `{…}`, where `:` and `,` end a plain scalar.
    static func scalar(_ text: String, inFlow: Bool) -> String {
        isPlainSafe(text, inFlow: inFlow) ? text : doubleQuoted(text)
    }

    /// Whether `text` may be written unquoted and still read back as this very string, by the
    /// YAML 1.2 core schema (`YAMLInstance`) and by YAML 1.1 (Yams' resolver, which the decoder
    /// uses to refuse `yes`, `0123` or `2024-01-01` where a string is expected).
    static func isPlainSafe(_ text: String, inFlow: Bool) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        guard isPlainStart(first), last != " ", last != ":" else { return false }
        var previous: Unicode.Scalar = " "
        for character in text.unicodeScalars {
            guard isPlainCharacter(character) else { return false }
            if character == ":" && inFlow { return false }
            if previous == ":" && character == " " { return false }
            previous = character
        }
        let node = Node.Scalar(text, .implicit, .plain)
        guard Resolver.default.resolveTag(of: .scalar(node)) == .str else { return false }
        return YAMLInstance(.scalar(node), file: "").value == .string(text)
    }

    /// The characters a plain scalar may start with here (no indicator such as `-`, `*`, `&`, `!`,
    /// `%`, `@`, `?`, `|`, `>`, quotes or brackets).
    private static func isPlainStart(_ character: Unicode.Scalar) -> Bool {
        if character.isASCII {
            return ("a"..."z").contains(character) || ("A"..."Z").contains(character)
                || ("0"..."9").contains(character) || "/._$(".unicodeScalars.contains(character)
        }
        return character.properties.isAlphabetic
    }

    /// The characters a plain scalar may contain here: no `#`, quotes, backslashes, flow
    /// indicators, tabs or line breaks.
    private static func isPlainCharacter(_ character: Unicode.Scalar) -> Bool {
        if character.isASCII {
            return ("a"..."z").contains(character) || ("A"..."Z").contains(character)
                || ("0"..."9").contains(character) || " -_./@+:=$~%()!?&*;^<>".unicodeScalars.contains(character)
        }
        return character.properties.isAlphabetic || character.properties.numericType != nil
    }

    /// `text` as a double-quoted YAML scalar: quotes, backslashes and every character YAML does
    /// not print literally (controls, DEL, C1, line/paragraph separators, BOM) escaped.
    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{0}"..."\u{1F}", "\u{7F}"..."\u{9F}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}":
                let hex = String(character.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(character)
            }
        }
        return out + "\""
    }

    /// A multi-line string as a literal block (`|` with one final newline, `|-` with none), or
    /// nil when a literal block could not keep it exactly: more than one final newline, a line
    /// starting with a space or tab (it would be read as indentation), carriage returns or other
    /// characters YAML treats as breaks or does not print.
    static func literalBlock(_ text: String) -> (header: String, lines: [String])? {
        guard text.contains("\n") else { return nil }
        var body = Substring(text)
        var header = "|-"
        if body.hasSuffix("\n") {
            body = body.dropLast()
            header = "|"
        }
        guard !body.isEmpty, !body.hasSuffix("\n") else { return nil }
        for character in body.unicodeScalars {
            switch character {
            case "\n", "\t": continue
            case "\u{0}"..."\u{1F}", "\u{7F}"..."\u{9F}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}":
                return nil
            default: continue
            }
        }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first, !first.isEmpty else { return nil }
        guard lines.allSatisfy({ !$0.hasPrefix(" ") && !$0.hasPrefix("\t") }) else { return nil }
        return (header, lines)
    }
}
