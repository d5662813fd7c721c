import BelfryJSON

extension Evaluation {
    /// In-place applicators: subschemas applied to this same instance location. A subschema's
    /// evaluated members/items count only where its success is what matters (valid `anyOf` /
    /// `oneOf` branches, a passing `if`) or where its failure fails this schema anyway.
    mutating func applyCombinator(
        _ rule: Rule, to instance: JSONValue, _ here: Cursor, _ parent: Cursor, _ outcome: inout Outcome
    ) {
        switch rule {
        case .allOf(let ids):
            for (index, id) in ids.enumerated() { outcome.absorb(evaluate(id, instance, here.schema(index))) }
        case .anyOf(let ids):
            let results = ids.enumerated().map { evaluate($1, instance, here.schema($0)) }
            let passing = results.filter(\.isValid)
            if passing.isEmpty {
                outcome.violations += bestFailure(ids, results, instance, here)
            } else {
                for result in passing { outcome.absorb(result) }
            }
        case .oneOf(let ids):
            let results = ids.enumerated().map { evaluate($1, instance, here.schema($0)) }
            let passing = results.indices.filter { results[$0].isValid }
            switch passing.count {
            case 0: outcome.violations += bestFailure(ids, results, instance, here)
            case 1: outcome.absorb(results[passing[0]])
            default: outcome.fail(here, Message.oneOfMany(passing))
            }
        case .not(let id):
            if evaluate(id, instance, here).isValid { outcome.fail(here, Message.not) }
        case .conditional(let condition, let then, let otherwise):
            let test = evaluate(condition, instance, here)
            if test.isValid {
                outcome.absorb(test)
                if let then { outcome.absorb(evaluate(then, instance, parent.schema("then"))) }
            } else if let otherwise {
                outcome.absorb(evaluate(otherwise, instance, parent.schema("else")))
            }
        case .dependentSchemas(let dependencies):
            guard case .object(let members) = instance else { return }
            let present = Set(members.map(\.0))
            for (trigger, id) in dependencies where present.contains(trigger) {
                outcome.absorb(evaluate(id, instance, here.schema(trigger)))
            }
        default:
            break
        }
    }

    /// What to report when no `anyOf` / `oneOf` alternative matches: one line when every
    /// alternative wants a different JSON type ("must be a string or an object"); otherwise the
    /// violations of the closest alternative — among those whose declared `type` accepts the
    /// instance, the one with the fewest violations (the first on a tie).
    private func bestFailure(
        _ ids: [Int], _ results: [Outcome], _ instance: JSONValue, _ here: Cursor
    ) -> [SchemaViolation] {
        let actual = JSONType(of: instance)
        let declared = ids.map { nodes[$0].declaredTypes }
        let wrongType = declared.map { types in types.map { !$0.contains(where: actual.satisfies) } ?? false }
        if wrongType.allSatisfy({ $0 }) {
            var union: [JSONType] = []
            for type in declared.compactMap({ $0 }).joined() where !union.contains(type) { union.append(type) }
            return [here.violation(Message.type(union, got: actual))]
        }
        let candidates = results.indices.filter { !wrongType[$0] }
        let best = candidates.min { results[$0].violations.count < results[$1].violations.count } ?? 0
        return results[best].violations
    }
}
