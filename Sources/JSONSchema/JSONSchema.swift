import BelfryJSON

/// A loaded draft 2020-12 JSON Schema document, ready to validate instances.
///
/// Honest by construction: loading refuses any keyword it does not implement (pure annotations
/// such as `title`, `description`, `default`, `examples`, `format` excepted), any `$schema` other
/// than 2020-12, `$dynamicRef` / `$dynamicAnchor` / `$vocabulary`, and references that leave the
/// document, so a schema that loads is applied in full. Numbers are compared exactly from their
/// text. No I/O: the caller parses the schema and the instance.
///
/// ```swift
/// let schema = try JSONSchema(JSONParser.parse(#"{"properties": {"port": {"maximum": 65535}}}"#))
/// schema.validate(try JSONParser.parse(#"{"port": 70000}"#))
/// // [/port: must be ≤ 65535]  (keywordLocation /properties/port/maximum)
/// ```
public struct JSONSchema: Sendable {
    private let nodes: [Node]
    private let root: Int

    /// Loads `schema` (an object or a boolean), resolving every `$ref` and compiling every pattern.
    public init(_ schema: JSONValue) throws(SchemaLoadError) {
        var compiler = try Compiler(document: schema)
        root = try compiler.compile(at: "")
        nodes = compiler.nodes
    }

    /// Every violation of `instance`, in schema order; empty when it conforms. Where no
    /// `anyOf` / `oneOf` alternative matches, only the closest alternative's violations are listed.
    /// A `$ref` cycle or runaway nesting met anywhere is always listed, even under `not`.
    public func validate(_ instance: JSONValue) -> [SchemaViolation] {
        var evaluation = Evaluation(nodes: nodes)
        var violations = evaluation.evaluate(root, instance, Cursor(instanceLocation: "", keywordLocation: ""))
            .violations
        for error in evaluation.schemaErrors where !violations.contains(error) { violations.append(error) }
        return violations
    }

    /// Whether `instance` conforms.
    public func isValid(_ instance: JSONValue) -> Bool {
        validate(instance).isEmpty
    }
}
