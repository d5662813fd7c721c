import BelfryJSON

/// The seven type names of the `type` keyword.
enum JSONType: String, Sendable, CaseIterable {
    case null, boolean, object, array, number, string, integer

    /// The type of a value, with `integer` for numbers that have no fractional part (`1.0` too).
    /// Booleans are `boolean`, never numbers.
    init(of value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool: self = .boolean
        case .object: self = .object
        case .array: self = .array
        case .string: self = .string
        case .number: self = Number(value)?.isInteger == true ? .integer : .number
        }
    }

    /// Whether a value of this (instance) type satisfies the schema type `expected`.
    func satisfies(_ expected: JSONType) -> Bool {
        self == expected || (self == .integer && expected == .number)
    }

    /// The name with its article, for messages: "a string", "an integer", "null".
    var phrase: String {
        switch self {
        case .null: return "null"
        case .integer, .object, .array: return "an \(rawValue)"
        case .boolean, .number, .string: return "a \(rawValue)"
        }
    }
}

extension JSONValue {
    /// JSON Schema equality: numbers by value (`1 == 1.0`), strings by Unicode scalars, objects
    /// regardless of key order, arrays element-wise; `false` is never `0`.
    func isSchemaEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number, .number): return Number(self) == Number(other)
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isSchemaEqual(to: $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in
                guard let match = b.first(where: { $0.0.unicodeScalars.elementsEqual(key.unicodeScalars) }) else {
                    return false
                }
                return value.isSchemaEqual(to: match.1)
            }
        default: return false
        }
    }
}
