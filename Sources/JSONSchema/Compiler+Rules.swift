import BelfryJSON

extension Compiler {
    /// The rule for keyword `name` of the schema object `schema` at `pointer`; nil for keywords
    /// that check nothing by themselves (annotations, `$defs`, `then` without `if`, …).
    mutating func rule(
        _ name: String, _ operand: JSONValue, in schema: JSONValue, at pointer: String
    ) throws(SchemaLoadError) -> Rule? {
        let location = JSONPointer.appending(pointer, name)
        let operands = Operands(location: location, operand: operand)
        switch name {
        case "$schema":
            let dialect = try operands.string()
            guard dialect == Vocabulary.dialect || dialect == Vocabulary.dialect + "#" else {
                throw operands.error("$schema \"\(dialect)\" is not supported; only \(Vocabulary.dialect)")
            }
            return nil
        case "$id", "$anchor": return nil  // checked and recorded by ResourceIndex
        case "$ref": return .ref(try reference(try operands.string(), from: pointer, at: location))
        case "$defs":
            for key in try operands.keys() { _ = try compile(at: JSONPointer.appending(location, key)) }
            return nil
        case "type": return .type(try operands.types())
        case "enum": return .enumeration(try operands.array())
        case "const": return .constant(operand)
        case "multipleOf":
            let divisor = try operands.number()
            guard !divisor.isNegative, !divisor.isZero else { throw operands.error("must be greater than 0") }
            guard divisor.digits.count <= Number.maxDivisorDigits else {
                throw operands.error("more than \(Number.maxDivisorDigits) significant digits is not supported")
            }
            return .multipleOf(divisor, text: operand.serialized)
        case "minimum": return .bound(.minimum, try operands.number(), text: operand.serialized)
        case "maximum": return .bound(.maximum, try operands.number(), text: operand.serialized)
        case "exclusiveMinimum": return .bound(.exclusiveMinimum, try operands.number(), text: operand.serialized)
        case "exclusiveMaximum": return .bound(.exclusiveMaximum, try operands.number(), text: operand.serialized)
        case "minLength": return .minLength(try operands.count())
        case "maxLength": return .maxLength(try operands.count())
        case "pattern": return .pattern(try operands.pattern(try operands.string()))
        case "minItems": return .minItems(try operands.count())
        case "maxItems": return .maxItems(try operands.count())
        case "uniqueItems": return try operands.bool() ? .uniqueItems : nil
        case "minProperties": return .minProperties(try operands.count())
        case "maxProperties": return .maxProperties(try operands.count())
        case "minContains", "maxContains":
            _ = try operands.count()  // applied by "contains"; ignored without it
            return nil
        case "required": return .required(try operands.strings())
        case "dependentRequired":
            var dependencies: [(String, [String])] = []
            for key in try operands.keys() {
                let entry = Operands(location: JSONPointer.appending(location, key), operand: operand[key] ?? .null)
                dependencies.append((key, try entry.strings()))
            }
            return .dependentRequired(dependencies)
        default:
            return try applicator(name, operand, in: schema, at: pointer)
        }
    }

    /// Rules for the keywords that apply subschemas.
    private mutating func applicator(
        _ name: String, _ operand: JSONValue, in schema: JSONValue, at pointer: String
    ) throws(SchemaLoadError) -> Rule? {
        let location = JSONPointer.appending(pointer, name)
        let operands = Operands(location: location, operand: operand)
        switch name {
        case "properties": return .properties(try schemaMap(operands.keys(), at: location))
        case "patternProperties":
            var entries: [(Pattern, Int)] = []
            for (key, id) in try schemaMap(operands.keys(), at: location) {
                entries.append((try operands.pattern(key, at: JSONPointer.appending(location, key)), id))
            }
            return .patternProperties(entries)
        case "additionalProperties":
            let declared = schema["properties"].flatMap(\.objectKeys) ?? []
            var patterns: [Pattern] = []
            for key in schema["patternProperties"].flatMap(\.objectKeys) ?? [] {
                let keyLocation = JSONPointer.appending(JSONPointer.appending(pointer, "patternProperties"), key)
                patterns.append(try operands.pattern(key, at: keyLocation))
            }
            return .additionalProperties(try compile(at: location), declared: Set(declared), patterns: patterns)
        case "propertyNames": return .propertyNames(try compile(at: location))
        case "dependentSchemas": return .dependentSchemas(try schemaMap(operands.keys(), at: location))
        case "prefixItems": return .prefixItems(try schemaList(operands.array(nonEmpty: true), at: location))
        case "items": return .items(try compile(at: location), after: schema["prefixItems"]?.arrayValue?.count ?? 0)
        case "contains":
            var minimum = 1
            if let operand = schema["minContains"] {
                minimum = try Operands(location: JSONPointer.appending(pointer, "minContains"), operand: operand)
                    .count()
            }
            let maximum = schema["maxContains"].flatMap { Number($0)?.intValue }
            return .contains(try compile(at: location), min: minimum, max: maximum)
        case "allOf": return .allOf(try schemaList(operands.array(nonEmpty: true), at: location))
        case "anyOf": return .anyOf(try schemaList(operands.array(nonEmpty: true), at: location))
        case "oneOf": return .oneOf(try schemaList(operands.array(nonEmpty: true), at: location))
        case "not": return .not(try compile(at: location))
        case "if":
            let condition = try compile(at: location)
            let then = try schema["then"] == nil ? nil : compile(at: JSONPointer.appending(pointer, "then"))
            let otherwise = try schema["else"] == nil ? nil : compile(at: JSONPointer.appending(pointer, "else"))
            return .conditional(if: condition, then: then, else: otherwise)
        case "then", "else":
            _ = try compile(at: location)  // applied by "if"; still checked and referable without it
            return nil
        case "unevaluatedProperties": return .unevaluatedProperties(try compile(at: location))
        case "unevaluatedItems": return .unevaluatedItems(try compile(at: location))
        default:
            if Vocabulary.annotations.contains(name) { return nil }
            throw SchemaLoadError(keywordLocation: location, message: Vocabulary.unknown(name))
        }
    }

    private mutating func schemaMap(_ keys: [String], at location: String) throws(SchemaLoadError) -> [(String, Int)] {
        var entries: [(String, Int)] = []
        for key in keys { entries.append((key, try compile(at: JSONPointer.appending(location, key)))) }
        return entries
    }

    private mutating func schemaList(_ items: [JSONValue], at location: String) throws(SchemaLoadError) -> [Int] {
        var ids: [Int] = []
        for offset in items.indices { ids.append(try compile(at: JSONPointer.appending(location, offset))) }
        return ids
    }
}

extension JSONValue {
    /// The member names of an object, in order; nil for other values.
    fileprivate var objectKeys: [String]? {
        guard case .object(let members) = self else { return nil }
        return members.map(\.0)
    }
}
