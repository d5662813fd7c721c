import BelfryJSON

/// One field of a spec before and after, by its manifest path (`spec.limits.maxConnections`).
public struct FieldChange: Sendable, Equatable {
    /// Dotted path from the manifest root; list items as `spec.webhooks[0].url`.
    public let path: String
    /// `nil` when the field did not exist (a create, an added webhook).
    public let old: FieldValue?
    /// `nil` when the field no longer exists (a removed webhook).
    public let new: FieldValue?

    /// A field change; pass masked values for secrets, never the secrets themselves.
    public init(path: String, old: FieldValue?, new: FieldValue?) {
        self.path = path
        self.old = old
        self.new = new
    }
}

/// A field's value as the plan shows it. Secrets are never carried, only whether they are set or changed.
public enum FieldValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case strings([String])
    case webhook(url: String, events: [String])
    /// An absent limit.
    case unlimited
    /// A secret or password hash, shown only as `(set)` or `(changed)`.
    case masked(Mask)

    /// What stands in for a sensitive value.
    public enum Mask: String, Sendable, Equatable {
        case set = "(set)"
        case changed = "(changed)"
    }

    /// The value as text and Markdown show it: strings quoted, lists in brackets.
    public var text: String {
        switch self {
        case .string(let value): return JSONText.quoted(value)
        case .int(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .strings(let values): return Self.list(values)
        case .webhook(let url, let events): return "{url: \(JSONText.quoted(url)), events: \(Self.list(events))}"
        case .unlimited: return "unlimited"
        case .masked(let mask): return mask.rawValue
        }
    }

    /// The value as JSON: `null` for unlimited, a masked value as its `(set)`/`(changed)` string.
    public var json: JSONValue {
        switch self {
        case .string(let value): return .string(value)
        case .int(let value): return .number(String(value))
        case .bool(let value): return .bool(value)
        case .strings(let values): return .array(values.map(JSONValue.string))
        case .webhook(let url, let events):
            return .object([("url", .string(url)), ("events", .array(events.map(JSONValue.string)))])
        case .unlimited: return .null
        case .masked(let mask): return .string(mask.rawValue)
        }
    }

    /// Whether this stands in for a secret.
    public var isMasked: Bool {
        if case .masked = self { return true }
        return false
    }

    private static func list(_ values: [String]) -> String {
        "[" + values.map(JSONText.quoted).joined(separator: ", ") + "]"
    }
}
