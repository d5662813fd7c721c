/// The keyword table: which keywords hold subschemas, which are pure annotations, and which are
/// refused with an explanation. Anything else the compiler does not implement is an unknown keyword.
enum Vocabulary {
    /// The only dialect accepted in `$schema`.
    static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// Keywords whose value is one subschema.
    static let singleSchema: Set<String> = [
        "additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
        "unevaluatedProperties", "unevaluatedItems",
    ]

    /// Keywords whose value is an object of subschemas.
    static let schemaMap: Set<String> = ["properties", "patternProperties", "$defs", "dependentSchemas"]

    /// Keywords whose value is an array of subschemas.
    static let schemaArray: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]

    /// Keywords that never affect validity (2020-12 meta-data, content and format-annotation).
    /// `contentSchema` is one of them: its subschema is neither applied nor checked.
    static let annotations: Set<String> = [
        "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment",
        "contentMediaType", "contentEncoding", "contentSchema", "format",
    ]

    /// Keywords refused on purpose, with the reason shown to the schema author.
    static let refused: [String: String] = [
        "$dynamicRef": "\"$dynamicRef\" is not supported (dynamic scopes are not implemented)",
        "$dynamicAnchor": "\"$dynamicAnchor\" is not supported (dynamic scopes are not implemented)",
        "$vocabulary": "\"$vocabulary\" is not supported (custom meta-schemas are not implemented)",
        "$recursiveRef": "\"$recursiveRef\" is draft 2019-09 and not supported",
        "$recursiveAnchor": "\"$recursiveAnchor\" is draft 2019-09 and not supported",
        "definitions": "unknown keyword \"definitions\" (draft 2020-12 uses \"$defs\")",
        "dependencies":
            "unknown keyword \"dependencies\" (draft 2020-12 uses \"dependentRequired\" or \"dependentSchemas\")",
        "additionalItems": "unknown keyword \"additionalItems\" (draft 2020-12 uses \"items\" after \"prefixItems\")",
        "id": "unknown keyword \"id\" (draft 2020-12 uses \"$id\")",
    ]

    /// The message for a keyword this validator does not know.
    static func unknown(_ name: String) -> String {
        refused[name] ?? "unknown keyword \"\(name)\" (not implemented; it would be silently ignored)"
    }
}
