import BelfryJSON

/// Every violation text, written once: short sentences a user reads after
/// `file:line:col: error: /spec/limits/maxConnections:`.
///
/// The texts are short and each function is named after the keyword it serves, so they are not
/// documented one by one (house rule 12 yields to the table here).
enum Message {
    static let notAllowed = "is not allowed"

    static func type(_ expected: [JSONType], got actual: JSONType) -> String {
        let got = actual == .integer && !expected.contains(.number) ? "a number" : actual.phrase
        return "must be " + list(expected.map(\.phrase), conjunction: "or") + ", got " + got
    }

    static func enumeration(_ values: [JSONValue]) -> String {
        guard values.count != 1 else { return constant(values[0]) }
        let shown = values.prefix(10).map { abbreviated($0.serialized) }
        return "must be one of: " + shown.joined(separator: ", ") + (values.count > 10 ? ", …" : "")
    }

    static func constant(_ value: JSONValue) -> String { "must be \(abbreviated(value.serialized))" }

    static func bound(_ bound: Bound, _ limit: String) -> String {
        switch bound {
        case .minimum: return "must be ≥ \(limit)"
        case .maximum: return "must be ≤ \(limit)"
        case .exclusiveMinimum: return "must be > \(limit)"
        case .exclusiveMaximum: return "must be < \(limit)"
        }
    }

    static func multipleOf(_ divisor: String) -> String { "must be a multiple of \(divisor)" }
    static func minLength(_ n: Int) -> String { "must be at least \(plural(n, "character")) long" }
    static func maxLength(_ n: Int) -> String { "must be at most \(plural(n, "character")) long" }
    static func pattern(_ source: String, value: String) -> String {
        "\(abbreviated(quoted(value))) must match pattern \(source)"
    }
    static func minItems(_ n: Int) -> String { "must have at least \(plural(n, "item"))" }
    static func maxItems(_ n: Int) -> String { "must have at most \(plural(n, "item"))" }
    static func duplicate(_ first: Int, _ second: Int) -> String {
        "must not contain duplicates (items \(first) and \(second) are equal)"
    }
    static func extraItem(allowed: Int) -> String { "is not allowed (at most \(plural(allowed, "item")))" }
    static let unevaluatedItem = "is not allowed (unexpected item)"
    static func minContains(_ n: Int) -> String {
        "must contain at least \(plural(n, "item")) matching the \"contains\" schema"
    }
    static func maxContains(_ n: Int) -> String {
        "must contain at most \(plural(n, "item")) matching the \"contains\" schema"
    }
    static func minProperties(_ n: Int) -> String { "must have at least \(plural(n, "field"))" }
    static func maxProperties(_ n: Int) -> String { "must have at most \(plural(n, "field"))" }
    static func required(_ name: String) -> String { "missing required field \(quoted(name))" }
    static func dependentRequired(_ name: String, because trigger: String) -> String {
        "missing field \(quoted(name)) (required when \(quoted(trigger)) is present)"
    }
    static func unknownField(_ name: String) -> String { "unknown field \(quoted(name))" }
    static func fieldName(_ name: String, _ message: String) -> String {
        // Messages that already start with the quoted value (pattern) must not repeat it.
        let prefix = abbreviated(quoted(name)) + " "
        let rest = message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
        return "field name \(quoted(name)) \(rest)"
    }
    static func oneOfMany(_ matches: [Int]) -> String {
        let which = list(matches.map(String.init), conjunction: "and")
        return "must match exactly one \"oneOf\" alternative, but matches alternatives \(which)"
    }
    static let not = "must not match the \"not\" schema"
    static func cycle(_ location: String) -> String {
        "schema error: endless $ref cycle through #\(location) at this location"
    }
    static func notANumber(_ text: String) -> String { "is not a valid JSON number: \(text)" }
    static func tooDeep(_ limit: Int) -> String { "is nested too deeply to validate (more than \(limit) levels)" }

    private static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    private static func quoted(_ name: String) -> String { JSONText.quoted(name) }

    private static func abbreviated(_ text: String) -> String {
        text.unicodeScalars.count <= 60 ? text : String(String.UnicodeScalarView(text.unicodeScalars.prefix(57))) + "…"
    }

    private static func list(_ items: [String], conjunction: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
    }
}
