import BelfryJSON

extension Evaluation {
    /// Object keywords. Members checked by `properties`, `patternProperties`,
    /// `additionalProperties` and `unevaluatedProperties` are recorded as evaluated, pass or fail,
    /// so a present-but-invalid field is not also reported as unknown.
    mutating func applyObject(_ rule: Rule, to members: [(String, JSONValue)], _ here: Cursor, _ outcome: inout Outcome)
    {
        switch rule {
        case .minProperties(let n): if members.count < n { outcome.fail(here, Message.minProperties(n)) }
        case .maxProperties(let n): if members.count > n { outcome.fail(here, Message.maxProperties(n)) }
        case .required(let names):
            let present = Set(members.map(\.0))
            for name in names where !present.contains(name) { outcome.fail(here, Message.required(name)) }
        case .dependentRequired(let dependencies):
            let present = Set(members.map(\.0))
            for (trigger, names) in dependencies where present.contains(trigger) {
                for name in names where !present.contains(name) {
                    outcome.fail(here, Message.dependentRequired(name, because: trigger))
                }
            }
        case .properties(let declared):
            let schemas = Dictionary(declared, uniquingKeysWith: { first, _ in first })
            for (key, value) in members {
                guard let id = schemas[key] else { continue }
                outcome.violations += evaluate(id, value, here.schema(key).instance(key)).violations
                outcome.properties.insert(key)
            }
        case .patternProperties(let patterns):
            for (key, value) in members {
                for (pattern, id) in patterns where pattern.matches(key) {
                    outcome.violations += evaluate(id, value, here.schema(pattern.source).instance(key)).violations
                    outcome.properties.insert(key)
                }
            }
        case .additionalProperties(let id, let declared, let patterns):
            for (key, value) in members where !declared.contains(key) && !patterns.contains(where: { $0.matches(key) })
            {
                outcome.violations += evaluateMember(id, key, value, here)
                outcome.properties.insert(key)
            }
        case .unevaluatedProperties(let id):
            for (key, value) in members where !outcome.properties.contains(key) {
                outcome.violations += evaluateMember(id, key, value, here)
                outcome.properties.insert(key)
            }
        case .propertyNames(let id):
            for (key, _) in members {
                let cursor = here.instance(key)
                for violation in evaluate(id, .string(key), cursor).violations {
                    let message = Message.fieldName(key, violation.message)
                    outcome.violations.append(
                        SchemaViolation(
                            instanceLocation: cursor.instanceLocation, keywordLocation: violation.keywordLocation,
                            message: message))
                }
            }
        default:
            break
        }
    }

    /// A member checked by `additionalProperties` / `unevaluatedProperties`; under `false` it is
    /// an unknown field, reported at the member itself.
    private mutating func evaluateMember(_ id: Int, _ key: String, _ value: JSONValue, _ here: Cursor)
        -> [SchemaViolation]
    {
        let cursor = here.instance(key)
        if case .constant(false) = nodes[id].body { return [cursor.violation(Message.unknownField(key))] }
        return evaluate(id, value, cursor).violations
    }
}
