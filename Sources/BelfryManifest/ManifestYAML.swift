import BelfryJSON

/// Renders a manifest object (JSON) as YAML in the house style of `examples/config`: block
/// style with 2-space indentation, keys in the object's order, `- ` items indented under their
/// key, short lists of scalars in flow style (`events: [a, b]`), a one-field object below `spec`
/// in flow style (`secret: { value: x }`), strings quoted only when YAML would read them as
/// something else, multi-line strings as literal blocks.
///
/// The text parses back (Yams, `YAMLInstance`) to the same value; number text is written in the
/// form YAML reads back (`1E5` becomes `1e5`), see `canonicalNumbers`. One string cannot come
/// back: one starting with U+FEFF, whose first character Yams drops however it is written
/// (it decodes scalars with Foundation's `String(bytes:encoding:)`, which strips a BOM).
///
///     let text = ManifestYAML.render(object)   // "apiVersion: belfry.dev/v1\nkind: App\n…"
public enum ManifestYAML {
    /// A list of scalars goes on one line (flow style) when the line stays within this width.
    static let flowWidth = 100

    /// `value` as YAML text ending in a newline.
    public static func render(_ value: JSONValue) -> String {
        var lines: [String] = []
        switch form(of: value, column: 0, depth: 0) {
        case .sameLine(let text): lines.append(text)
        case .literal(let header, let body):
            lines.append(header)
            lines += body.map { indented($0, 2) }
        case .block: block(value, indent: 0, depth: 0, into: &lines)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The non-empty documents of `text` as JSON, as the loader reads them (YAML 1.2 core
    /// schema), or `.unparseable` with the located syntax error.
    public static func documents(in text: String, file: String = "") -> Result<[JSONValue], ManifestEditError> {
        Result { () throws(ManifestEditError) in
            try ManifestFileLayout(text: text, file: file).documents.map(\.value)
        }
    }

    /// `value` with every number written as YAML reads it back (`YAMLInstance`): what a
    /// rendered value is equal to after a round trip.
    public static func canonicalNumbers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let text): return .number(YAMLNumber.json(text) ?? text)
        case .array(let items): return .array(items.map(canonicalNumbers))
        case .object(let members): return .object(members.map { ($0.0, canonicalNumbers($0.1)) })
        default: return value
        }
    }

    /// How a value follows `key:` or `-`.
    private enum Form {
        /// On the same line: a scalar or a flow collection.
        case sameLine(String)
        /// A literal block: the header (`|` or `|-`) on the same line, the lines below, indented.
        case literal(header: String, lines: [String])
        /// A block mapping or sequence on the lines below.
        case block
    }

    /// The form of `value` written at `column`, `depth` levels below the root.
    private static func form(of value: JSONValue, column: Int, depth: Int) -> Form {
        switch value {
        case .null: return .sameLine("null")
        case .bool(let flag): return .sameLine(flag ? "true" : "false")
        case .number(let text): return .sameLine(YAMLNumber.json(text) ?? text)
        case .string(let text):
            if let literal = literalBlock(text) { return .literal(header: literal.header, lines: literal.lines) }
            return .sameLine(scalar(text, inFlow: false))
        case .array(let items):
            if items.isEmpty { return .sameLine("[]") }
            guard items.allSatisfy(isScalar) else { return .block }
            let flow = "[" + items.map { flowScalar($0) }.joined(separator: ", ") + "]"
            return column + flow.count <= flowWidth ? .sameLine(flow) : .block
        case .object(let members):
            if members.isEmpty { return .sameLine("{}") }
            guard depth >= 2, members.count == 1, let (key, member) = members.first, isScalar(member) else {
                return .block
            }
            let flow = "{ " + scalar(key, inFlow: true) + ": " + flowScalar(member) + " }"
            return column + flow.count <= flowWidth ? .sameLine(flow) : .block
        }
    }

    /// Appends the lines of a non-empty object or array written in block style at `indent`.
    private static func block(_ value: JSONValue, indent: Int, depth: Int, into lines: inout [String]) {
        switch value {
        case .object(let members):
            for (key, member) in members {
                let head = indented(scalar(key, inFlow: false) + ":", indent)
                entry(member, head: head, indent: indent, depth: depth + 1, into: &lines)
            }
        case .array(let items):
            for item in items {
                entry(item, head: indented("-", indent), indent: indent, depth: depth + 1, into: &lines)
            }
        default:
            break
        }
    }

    /// Appends `key: value` or `- value`, given its `head` (`key:` or `-`) at `indent`.
    private static func entry(_ value: JSONValue, head: String, indent: Int, depth: Int, into lines: inout [String]) {
        switch form(of: value, column: head.count + 1, depth: depth) {
        case .sameLine(let text):
            lines.append(head + " " + text)
        case .literal(let header, let body):
            lines.append(head + " " + header)
            lines += body.map { indented($0, indent + 2) }
        case .block where head.hasSuffix(":"):
            lines.append(head)
            block(value, indent: indent + 2, depth: depth, into: &lines)
        case .block:
            // A collection in a list starts on the dash's line: `- url: …` / `- - a`.
            var nested: [String] = []
            block(value, indent: indent + 2, depth: depth, into: &nested)
            guard let first = nested.first else { return }
            lines.append(head + " " + first.dropFirst(indent + 2))
            lines += nested.dropFirst()
        }
    }

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: return false
        default: return true
        }
    }

    /// A scalar inside a flow collection: always on one line.
    private static func flowScalar(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return scalar(text, inFlow: true)
        case .number(let text): return YAMLNumber.json(text) ?? text
        case .bool(let flag): return flag ? "true" : "false"
        default: return "null"
        }
    }

    /// `text` after `indent` spaces; empty lines stay empty (no trailing spaces).
    private static func indented(_ text: some StringProtocol, _ indent: Int) -> String {
        text.isEmpty ? "" : String(repeating: " ", count: indent) + text
    }
}
