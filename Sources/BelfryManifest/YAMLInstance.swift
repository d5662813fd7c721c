import BelfryJSON
import Yams

/// One YAML document as a JSON instance for schema validation, remembering where every value
/// and every mapping key was written so a JSON pointer maps back to `file:line:col`.
///
/// Scalars resolve by the YAML 1.2 core schema: only `true`/`false` are booleans, `yes`/`off`
/// stay strings (the schema then says "must be a boolean"); quoted scalars are always strings.
public struct YAMLInstance: Sendable {
    public let value: JSONValue
    /// JSON pointer → location of the value.
    public let values: [String: ManifestLocation]
    /// JSON pointer → location of the mapping key that names the value.
    public let keys: [String: ManifestLocation]

    public init(_ root: Node, file: String) {
        var builder = Builder(file: file)
        value = builder.convert(root, "")
        values = builder.values
        keys = builder.keys
    }

    /// Where to report a problem at `pointer`: the key for unknown fields, else the value, else
    /// the nearest enclosing value that exists (for missing fields).
    public func location(of pointer: String, preferKey: Bool = false) -> ManifestLocation {
        if preferKey, let key = keys[pointer] { return key }
        var current = Substring(pointer)
        while true {
            if let value = values[String(current)] {
                return ManifestLocation(file: value.file, line: value.line, column: value.column, path: pointer)
            }
            guard let slash = current.lastIndex(of: "/") else { break }
            current = current[..<slash]
        }
        let root = values[""] ?? ManifestLocation(file: "", line: 1, column: 1)
        return ManifestLocation(file: root.file, line: root.line, column: root.column, path: pointer)
    }

    private struct Builder {
        let file: String
        var values: [String: ManifestLocation] = [:]
        var keys: [String: ManifestLocation] = [:]

        func location(_ node: Node, _ path: String) -> ManifestLocation {
            ManifestLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, path: path)
        }

        mutating func convert(_ node: Node, _ path: String) -> JSONValue {
            values[path] = location(node, path)
            switch node {
            case .scalar(let scalar):
                return Self.resolve(scalar)
            case .sequence(let sequence):
                return .array(sequence.enumerated().map { convert($0.element, "\(path)/\($0.offset)") })
            case .mapping(let mapping):
                var members: [(String, JSONValue)] = []
                for (keyNode, valueNode) in mapping {
                    let key = keyNode.scalar?.string ?? "\(keyNode)"
                    let child = path + "/" + NodeReader.escape(key)
                    keys[child] = location(keyNode, child)
                    members.append((key, convert(valueNode, child)))
                }
                return .object(members)
            case .alias:
                return .null
            }
        }

        /// YAML 1.2 core schema resolution of a scalar.
        static func resolve(_ scalar: Node.Scalar) -> JSONValue {
            let text = scalar.string
            guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let number = YAMLNumber.json(text) { return .number(number) }
            return .string(text)
        }
    }
}

/// YAML 1.2 core integers and floats as JSON number text.
enum YAMLNumber {
    static func json(_ text: String) -> String? {
        var body = Substring(text)
        var sign = ""
        if body.first == "-" || body.first == "+" {
            if body.first == "-" { sign = "-" }
            body = body.dropFirst()
        }
        if body.hasPrefix("0o"), let n = Int(body.dropFirst(2), radix: 8), sign.isEmpty { return String(n) }
        if body.hasPrefix("0x"), let n = Int(body.dropFirst(2), radix: 16), sign.isEmpty { return String(n) }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || ".eE+-".contains($0)) }) else {
            return nil
        }
        if body.allSatisfy(\.isNumber) {
            let trimmed = body.drop { $0 == "0" }
            return sign + (trimmed.isEmpty ? "0" : String(trimmed))
        }
        // A float: digits with at most one '.', optional exponent; normalise to JSON's grammar.
        guard let value = Double(String(body)), value.isFinite else { return nil }
        let parts = body.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "E", maxSplits: 1, omittingEmptySubsequences: false) }
        guard let mantissa = parts.first, mantissa.filter({ $0 == "." }).count <= 1,
            mantissa.contains(where: \.isNumber)
        else { return nil }
        var intPart = String(mantissa.split(separator: ".", omittingEmptySubsequences: false).first ?? "")
        var fraction =
            mantissa.contains(".")
            ? String(mantissa.split(separator: ".", omittingEmptySubsequences: false).last ?? "") : ""
        intPart = String(intPart.drop { $0 == "0" })
        if intPart.isEmpty { intPart = "0" }
        if mantissa.contains("."), fraction.isEmpty { fraction = "0" }
        var out = sign + intPart + (fraction.isEmpty ? "" : "." + fraction)
        if parts.count == 2 {
            var exponent = Substring(parts[1])
            var expSign = ""
            if exponent.first == "-" || exponent.first == "+" {
                if exponent.first == "-" { expSign = "-" }
                exponent = exponent.dropFirst()
            }
            guard !exponent.isEmpty, exponent.allSatisfy(\.isNumber) else { return nil }
            out += "e" + expSign + exponent
        }
        return out
    }
}
