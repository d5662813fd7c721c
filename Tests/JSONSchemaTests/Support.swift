import BelfryJSON
import JSONSchema

/// Parses JSON text written in a test; the texts are fixed, so failure is a test bug.
func json(_ text: String) -> JSONValue {
    do {
        return try JSONParser.parse(text)
    } catch {
        fatalError("bad JSON in test: \(error): \(text)")
    }
}

/// Loads a schema written as JSON text.
func schema(_ text: String) throws(SchemaLoadError) -> JSONSchema {
    try JSONSchema(json(text))
}

/// The violations of `instance` against `schemaText`, both JSON text.
func violations(_ schemaText: String, _ instance: String) throws -> [SchemaViolation] {
    try schema(schemaText).validate(json(instance))
}

/// Just the messages, for tests about wording.
func messages(_ schemaText: String, _ instance: String) throws -> [String] {
    try violations(schemaText, instance).map(\.message)
}

/// Whether `instance` conforms to `schemaText`.
func accepts(_ schemaText: String, _ instance: String) throws -> Bool {
    try schema(schemaText).isValid(json(instance))
}

/// The load error for `schemaText`, or nil if it loads.
func loadError(_ schemaText: String) -> SchemaLoadError? {
    do {
        _ = try schema(schemaText)
        return nil
    } catch {
        return error
    }
}
