/// Where evaluation stands: the instance location being checked and the keyword path that led
/// there (through `$ref` hops, as the 2020-12 output format's `keywordLocation` requires).
struct Cursor {
    let instanceLocation: String
    let keywordLocation: String

    /// One keyword (or a keyword's entry, such as a property name or an array index) deeper.
    func schema(_ token: String) -> Cursor {
        Cursor(instanceLocation: instanceLocation, keywordLocation: JSONPointer.appending(keywordLocation, token))
    }

    /// One array entry (`allOf/2`, `prefixItems/0`) deeper in the schema.
    func schema(_ index: Int) -> Cursor {
        Cursor(instanceLocation: instanceLocation, keywordLocation: JSONPointer.appending(keywordLocation, index))
    }

    /// One member (or item) deeper into the instance.
    func instance(_ key: String) -> Cursor {
        Cursor(instanceLocation: JSONPointer.appending(instanceLocation, key), keywordLocation: keywordLocation)
    }

    /// One array item deeper into the instance.
    func instance(_ index: Int) -> Cursor {
        Cursor(instanceLocation: JSONPointer.appending(instanceLocation, index), keywordLocation: keywordLocation)
    }

    /// A violation at this instance and keyword location.
    func violation(_ message: String) -> SchemaViolation {
        SchemaViolation(instanceLocation: instanceLocation, keywordLocation: keywordLocation, message: message)
    }
}

/// The result of applying one schema to one instance location: its violations and the
/// annotations `unevaluatedProperties` / `unevaluatedItems` need (which members and items some
/// keyword has evaluated).
struct Outcome {
    var violations: [SchemaViolation] = []
    /// Member names evaluated at this location.
    var properties: Set<String> = []
    /// Item indices evaluated at this location.
    var items: Set<Int> = []

    /// True when nothing failed.
    var isValid: Bool { violations.isEmpty }

    /// A passing result with nothing evaluated.
    init() {}

    /// A result that failed for one reason.
    init(_ violation: SchemaViolation) { violations = [violation] }

    /// Records a violation at `cursor`.
    mutating func fail(_ cursor: Cursor, _ message: String) {
        violations.append(cursor.violation(message))
    }

    /// Takes in a subschema's result for the same instance location: violations and evaluated
    /// members/items. Callers pass only results whose annotations count (a valid `anyOf`
    /// branch; any `allOf` branch, since a failing one fails this schema anyway).
    mutating func absorb(_ other: Outcome) {
        violations += other.violations
        properties.formUnion(other.properties)
        items.formUnion(other.items)
    }
}
