import BelfryJSON

/// Reads a keyword's value as the shape the keyword requires, or throws a load error located at
/// the keyword: a malformed schema is refused, never half-applied.
struct Operands {
    /// JSON pointer of the keyword, for errors.
    let location: String
    let operand: JSONValue

    /// A load error at this keyword.
    func error(_ message: String) -> SchemaLoadError {
        SchemaLoadError(keywordLocation: location, message: message)
    }

    /// A string operand (`pattern`, `$ref`, `$schema`).
    func string() throws(SchemaLoadError) -> String {
        guard case .string(let text) = operand else { throw error("must be a string") }
        return text
    }

    /// A boolean operand (`uniqueItems`).
    func bool() throws(SchemaLoadError) -> Bool {
        guard case .bool(let value) = operand else { throw error("must be true or false") }
        return value
    }

    /// A number operand (`minimum`, `multipleOf`, …), kept exact.
    func number() throws(SchemaLoadError) -> Number {
        guard let number = Number(operand) else { throw error("must be a number") }
        return number
    }

    /// A non-negative integer such as `minLength`; `2.0` counts as 2.
    func count() throws(SchemaLoadError) -> Int {
        guard let number = Number(operand), !number.isNegative, let value = number.intValue else {
            throw error("must be a non-negative integer")
        }
        return value
    }

    /// An array operand (`enum`, `allOf`, …); `nonEmpty` where the keyword needs an entry.
    func array(nonEmpty: Bool = false) throws(SchemaLoadError) -> [JSONValue] {
        guard case .array(let items) = operand else { throw error("must be an array") }
        if nonEmpty && items.isEmpty { throw error("must be a non-empty array") }
        return items
    }

    /// The member names of an object operand (`properties`, `$defs`, …).
    func keys() throws(SchemaLoadError) -> [String] {
        guard case .object(let members) = operand else { throw error("must be an object") }
        return members.map(\.0)
    }

    /// An array of strings (`required`, `dependentRequired` entries).
    func strings() throws(SchemaLoadError) -> [String] {
        var result: [String] = []
        for item in try array() {
            guard case .string(let text) = item else { throw error("must be an array of strings") }
            result.append(text)
        }
        return result
    }

    /// The operand of `type`: one type name or an array of distinct ones.
    func types() throws(SchemaLoadError) -> [JSONType] {
        let names: [JSONValue] = operand.stringValue != nil ? [operand] : try array(nonEmpty: true)
        var types: [JSONType] = []
        for name in names {
            guard let text = name.stringValue, let type = JSONType(rawValue: text) else {
                let valid = JSONType.allCases.map(\.rawValue).joined(separator: ", ")
                throw error("\(name.serialized) is not a type (\(valid))")
            }
            guard !types.contains(type) else { throw error("lists \"\(text)\" twice") }
            types.append(type)
        }
        return types
    }

    /// `source` compiled as a regular expression; a pattern that does not compile is refused.
    func pattern(_ source: String, at location: String? = nil) throws(SchemaLoadError) -> Pattern {
        do {
            return try Pattern(source)
        } catch {
            throw SchemaLoadError(
                keywordLocation: location ?? self.location, message: "invalid regular expression \(source): \(error)")
        }
    }
}
