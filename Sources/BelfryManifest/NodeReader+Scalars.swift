import Foundation
import Yams

/// Typed scalar reads. Types are strict, never coerced: an unquoted `1001` is not a string,
/// `yes` and `"true"` are not booleans, `"5"` is not an integer.
extension NodeReader {
    /// A string; plain scalars that YAML reads as another type (`1001`, `yes`, `2024-01-01`) are errors.
    mutating func string(_ node: Node, _ path: String) -> String? {
        guard let scalar = node.scalar else {
            fail("must be a string, got \(Self.kind(of: node))", node, path)
            return nil
        }
        switch Self.tagName(node) {
        case .str: return scalar.string
        case .null: fail("must be a string, got an empty value", node, path)
        default:
            // YAML 1.2 reads it as a string, but YAML 1.1 tools (PyYAML, Yams' resolver) do not.
            fail(
                "\(Self.quoted(scalar.string)) is \(Self.kind(of: node)) in YAML 1.1; quote it to keep it a string",
                node, path)
        }
        return nil
    }

    /// A string matching `pattern` (an anchored regular expression, the same as in `schemas/`).
    /// - Parameter message: said after the value when it does not match (default: `must match …`).
    mutating func string(_ node: Node, _ path: String, pattern: String, otherwise message: String? = nil) -> String? {
        guard let value = string(node, path) else { return nil }
        guard Self.matches(value, pattern) else {
            fail("\(Self.quoted(value)) \(message ?? "must match \(pattern)")", node, path)
            return nil
        }
        return value
    }

    /// `true` or `false` (YAML 1.2 core spellings); YAML 1.1 `yes`/`on` and quoted strings are errors.
    mutating func bool(_ node: Node, _ path: String) -> Bool? {
        guard let scalar = node.scalar else {
            fail("must be true or false, got \(Self.kind(of: node))", node, path)
            return nil
        }
        if scalar.style == .plain || scalar.style == .any {
            switch scalar.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        let isPlain = scalar.style == .plain || scalar.style == .any
        let got = isPlain ? "'\(scalar.string)'" : "the string \(Self.quoted(scalar.string))"
        fail("must be true or false, got \(got)", node, path)
        return nil
    }

    /// A plain decimal integer within `range`.
    mutating func int(_ node: Node, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let scalar = node.scalar, scalar.style == .plain || scalar.style == .any else {
            fail("must be an integer, got \(Self.kind(of: node))", node, path)
            return nil
        }
        guard Self.matches(scalar.string, "^[-+]?[0-9]+$") else {
            fail("must be an integer, got '\(scalar.string)'", node, path)
            return nil
        }
        guard let value = Int(scalar.string.hasPrefix("+") ? String(scalar.string.dropFirst()) : scalar.string),
            range.contains(value)
        else {
            fail("must be between \(range.lowerBound) and \(range.upperBound)", node, path)
            return nil
        }
        return value
    }

    /// Whether the whole of `value` matches the anchored regular expression `pattern`.
    static func matches(_ value: String, _ pattern: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return value.wholeMatch(of: regex) != nil
    }

    /// `"value"` with quotes and backslashes escaped, for messages.
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
