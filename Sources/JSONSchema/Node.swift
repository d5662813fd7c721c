import BelfryJSON

/// One compiled schema. Subschemas are indices into the owning `JSONSchema`'s node table, so a
/// `$ref` is an index too and cyclic references need no special structure.
struct Node: Sendable {
    /// JSON pointer of this schema inside the document.
    let location: String
    /// What the schema checks.
    let body: Body

    /// A boolean schema or a schema object.
    enum Body: Sendable {
        /// A boolean schema: `true` accepts everything, `false` nothing.
        case constant(Bool)
        /// Keywords in evaluation order: document order, `unevaluated*` last.
        case keywords([Keyword])
    }

    /// The types named by this schema's own `type` keyword, if it has one.
    var declaredTypes: [JSONType]? {
        guard case .keywords(let keywords) = body else { return nil }
        for keyword in keywords {
            if case .type(let types) = keyword.rule { return types }
        }
        return nil
    }
}

/// A keyword of a compiled schema: its name (the last token of its location) and what it checks.
struct Keyword: Sendable {
    /// The keyword as written, e.g. `properties`.
    let name: String
    /// The compiled check.
    let rule: Rule
}

/// What a keyword checks, with its operands compiled. Keywords that depend on siblings
/// (`additionalProperties`, `items`, `contains`, `if`) carry what they need from them.
enum Rule: Sendable {
    case ref(Int)
    case type([JSONType])
    case enumeration([JSONValue])
    case constant(JSONValue)
    case multipleOf(Number, text: String)
    case bound(Bound, Number, text: String)
    case minLength(Int)
    case maxLength(Int)
    case pattern(Pattern)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    case prefixItems([Int])
    case items(Int, after: Int)
    case contains(Int, min: Int, max: Int?)
    case minProperties(Int)
    case maxProperties(Int)
    case required([String])
    case dependentRequired([(String, [String])])
    case properties([(String, Int)])
    case patternProperties([(Pattern, Int)])
    case additionalProperties(Int, declared: Set<String>, patterns: [Pattern])
    case propertyNames(Int)
    case dependentSchemas([(String, Int)])
    case allOf([Int])
    case anyOf([Int])
    case oneOf([Int])
    case not(Int)
    case conditional(if: Int, then: Int?, else: Int?)
    case unevaluatedProperties(Int)
    case unevaluatedItems(Int)
}

/// The four numeric limits.
enum Bound: Sendable {
    case minimum, maximum, exclusiveMinimum, exclusiveMaximum
}
