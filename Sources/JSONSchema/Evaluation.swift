import BelfryJSON

/// One validation run: applies compiled nodes to an instance and collects violations.
///
/// `$ref` cycles are caught here, driven by the instance: re-entering a node at the instance
/// location where it is already being evaluated can only recurse forever (there are no dynamic
/// scopes), so it becomes a violation instead. Recursion that descends into the instance, as a
/// tree schema does, is fine.
struct Evaluation {
    /// Nested schema objects allowed on one path; well above any manifest, well below the stack.
    static let maxDepth = 128

    /// The compiled schema, shared with the `JSONSchema` that started the run.
    let nodes: [Node]
    private var active: Set<Visit> = []
    /// Cycles and runaway depth found anywhere, even under `not` or a losing `anyOf` branch,
    /// where the violation itself would be swallowed: they are schema bugs, always reported.
    private(set) var schemaErrors: [SchemaViolation] = []

    private struct Visit: Hashable {
        let node: Int
        let instanceLocation: String
    }

    /// A fresh run with nothing in progress.
    init(nodes: [Node]) { self.nodes = nodes }

    /// Applies node `id` to `instance` at `cursor`.
    mutating func evaluate(_ id: Int, _ instance: JSONValue, _ cursor: Cursor) -> Outcome {
        let keywords: [Keyword]
        switch nodes[id].body {
        case .constant(let accepts): return accepts ? Outcome() : Outcome(cursor.violation(Message.notAllowed))
        case .keywords(let list): keywords = list
        }
        let visit = Visit(node: id, instanceLocation: cursor.instanceLocation)
        guard !active.contains(visit) else { return schemaError(cursor.violation(Message.cycle(nodes[id].location))) }
        guard active.count < Self.maxDepth else { return schemaError(cursor.violation(Message.tooDeep(Self.maxDepth))) }
        if case .number(let text) = instance, Number(text) == nil {
            return Outcome(cursor.violation(Message.notANumber(text)))  // never let odd text pass unchecked
        }
        active.insert(visit)
        defer { active.remove(visit) }
        var outcome = Outcome()
        for keyword in keywords {
            apply(keyword.rule, to: instance, cursor.schema(keyword.name), cursor, &outcome)
        }
        return outcome
    }

    private mutating func schemaError(_ violation: SchemaViolation) -> Outcome {
        if !schemaErrors.contains(violation) { schemaErrors.append(violation) }
        return Outcome(violation)
    }

    /// Applies one keyword. `here` is the keyword's own location; `parent` the schema's, for
    /// keywords that report through siblings (`if` reports at `then` / `else`).
    private mutating func apply(
        _ rule: Rule, to instance: JSONValue, _ here: Cursor, _ parent: Cursor, _ outcome: inout Outcome
    ) {
        switch rule {
        case .ref(let target): outcome.absorb(evaluate(target, instance, here))
        case .type(let types):
            if !types.contains(where: JSONType(of: instance).satisfies) {
                outcome.fail(here, Message.type(types, got: JSONType(of: instance)))
            }
        case .enumeration(let values):
            if !values.contains(where: instance.isSchemaEqual) { outcome.fail(here, Message.enumeration(values)) }
        case .constant(let value):
            if !value.isSchemaEqual(to: instance) { outcome.fail(here, Message.constant(value)) }
        case .multipleOf(let divisor, let text):
            if let number = Number(instance), number.isMultiple(of: divisor) == false {
                outcome.fail(here, Message.multipleOf(text))
            }
        case .bound(let bound, let limit, let text):
            guard let number = Number(instance) else { return }
            let ok: Bool
            switch bound {
            case .minimum: ok = number >= limit
            case .maximum: ok = number <= limit
            case .exclusiveMinimum: ok = number > limit
            case .exclusiveMaximum: ok = number < limit
            }
            if !ok { outcome.fail(here, Message.bound(bound, text)) }
        case .minLength(let n):
            if case .string(let s) = instance, s.unicodeScalars.count < n { outcome.fail(here, Message.minLength(n)) }
        case .maxLength(let n):
            if case .string(let s) = instance, s.unicodeScalars.count > n { outcome.fail(here, Message.maxLength(n)) }
        case .pattern(let pattern):
            if case .string(let s) = instance, !pattern.matches(s) {
                outcome.fail(here, Message.pattern(pattern.source, value: s))
            }
        case .allOf, .anyOf, .oneOf, .not, .conditional, .dependentSchemas:
            applyCombinator(rule, to: instance, here, parent, &outcome)
        case .minItems, .maxItems, .uniqueItems, .prefixItems, .items, .contains, .unevaluatedItems:
            guard case .array(let items) = instance else { return }
            applyArray(rule, to: items, here, &outcome)
        case .minProperties, .maxProperties, .required, .dependentRequired, .properties, .patternProperties,
            .additionalProperties, .propertyNames, .unevaluatedProperties:
            guard case .object(let members) = instance else { return }
            applyObject(rule, to: members, here, &outcome)
        }
    }
}
