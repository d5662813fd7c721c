import BelfryJSON
import JSONSchema

/// The compiled schemas of `schemas/` (embedded at build time) and validation of one document.
public enum ManifestSchemas {
    /// `schemas/app.schema.json`.
    public static let app = compile(EmbeddedSchemas.app, "app")
    /// `schemas/user.schema.json`.
    public static let user = compile(EmbeddedSchemas.user, "user")

    private static func compile(_ text: String, _ name: String) -> JSONSchema {
        do {
            return try JSONSchema(JSONParser.parse(text))
        } catch {
            // The schemas are part of the binary and tested; a broken one is a build defect.
            fatalError("schemas/\(name).schema.json does not load: \(error)")
        }
    }

    /// YAML reads unquoted `1001`, `true` or `null` as non-strings; say how to fix it.
    private static func hint(_ message: String, at pointer: String) -> String {
        let secretForms = "must give the secret exactly one way: { value: … }, { env: NAME } or { file: PATH }"
        if pointer == "/spec/secret", message.hasPrefix("must have at") { return secretForms }
        if pointer == "/spec/secret", message.hasPrefix("must be an object") {
            return secretForms + message.dropFirst("must be an object".count)
        }
        // Never echo what may be a pasted password into CI logs.
        if pointer == "/spec/passwordHash", message.contains("must match pattern") {
            return "must be a bcrypt hash ($2a$, $2b$ or $2y$, a two-digit cost, $, then 53 characters)"
        }
        // Nor what may be an API token committed in place of its digest.
        if pointer.hasPrefix("/spec/apiTokens/"), pointer.hasSuffix("/sha256"), message.contains("must match pattern") {
            return ManifestRules.sha256Message
        }
        // The pattern of an origin is long and says little; say what an entry may be.
        if pointer.hasPrefix("/spec/allowedOrigins/"), let range = message.firstRange(of: " must match pattern ") {
            return message[..<range.lowerBound] + " " + ManifestRules.originMessage
        }
        let message = message.hasSuffix(", got null") ? message.dropLast(4) + "an empty value" : message
        let unquoted = ["got a number", "got an integer", "got a boolean"]
        if message.hasPrefix("must be a string"), unquoted.contains(where: message.hasSuffix) {
            return message + " (quote it)"
        }
        if message == "must be a boolean, got a string" {
            return message + " (write true or false; YAML 1.1 words like yes/off and quoted \"true\" are strings)"
        }
        return message
    }

    /// The schema for a document's `kind`, or nil for an unknown or missing kind.
    public static func schema(forKind kind: String?) -> JSONSchema? {
        switch kind {
        case "App": return app
        case "User": return user
        default: return nil
        }
    }

    /// Schema violations of one document as located errors; empty when the document is valid or
    /// its kind is unknown (the decoder reports that).
    public static func violations(of instance: YAMLInstance) -> [ManifestError] {
        guard let schema = schema(forKind: instance.value["kind"]?.stringValue) else { return [] }
        return schema.validate(instance.value).map { violation in
            let isUnknownField = violation.message.hasPrefix("unknown field")
            var location = instance.location(of: violation.instanceLocation, preferKey: isUnknownField)
            location.path = violation.instanceLocation
            return ManifestError(hint(violation.message, at: violation.instanceLocation), at: location)
        }
    }
}
