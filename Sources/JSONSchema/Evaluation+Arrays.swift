import BelfryJSON

extension Evaluation {
    /// Array keywords. `prefixItems`, `items`, matching `contains` items and `unevaluatedItems`
    /// record the indices they evaluated, for `unevaluatedItems`.
    mutating func applyArray(_ rule: Rule, to items: [JSONValue], _ here: Cursor, _ outcome: inout Outcome) {
        switch rule {
        case .minItems(let n): if items.count < n { outcome.fail(here, Message.minItems(n)) }
        case .maxItems(let n): if items.count > n { outcome.fail(here, Message.maxItems(n)) }
        case .uniqueItems:
            if let (first, second) = Self.firstDuplicate(items) { outcome.fail(here, Message.duplicate(first, second)) }
        case .prefixItems(let ids):
            for (index, id) in zip(items.indices, ids) {
                outcome.violations += evaluate(id, items[index], here.schema(index).instance(index)).violations
                outcome.items.insert(index)
            }
        case .items(let id, let start):
            for index in items.indices where index >= start {
                let cursor = here.instance(index)
                if case .constant(false) = nodes[id].body {
                    outcome.fail(cursor, Message.extraItem(allowed: start))
                } else {
                    outcome.violations += evaluate(id, items[index], cursor).violations
                }
                outcome.items.insert(index)
            }
        case .contains(let id, let minimum, let maximum):
            let matches = items.indices.filter { evaluate(id, items[$0], here.instance($0)).isValid }
            outcome.items.formUnion(matches)
            if matches.count < minimum { outcome.fail(here, Message.minContains(minimum)) }
            if let maximum, matches.count > maximum { outcome.fail(here, Message.maxContains(maximum)) }
        case .unevaluatedItems(let id):
            for index in items.indices where !outcome.items.contains(index) {
                let cursor = here.instance(index)
                if case .constant(false) = nodes[id].body {
                    outcome.fail(cursor, Message.unevaluatedItem)
                } else {
                    outcome.violations += evaluate(id, items[index], cursor).violations
                }
                outcome.items.insert(index)
            }
        default:
            break
        }
    }

    /// The first pair of equal items (JSON Schema equality), by position of the second.
    private static func firstDuplicate(_ items: [JSONValue]) -> (Int, Int)? {
        for second in items.indices {
            for first in 0..<second where items[first].isSchemaEqual(to: items[second]) { return (first, second) }
        }
        return nil
    }
}
