import BelfryJSON

extension Plan {
    /// The machine-readable plan (`belfry plan --format json`). Keys always present, in this order:
    ///
    ///     {"summary": "Plan: 1 to add, …",            // as `summary`
    ///      "hasChanges": true,
    ///      "source": {"branch", "revision", "shortRevision", "subject", "author"} | null,
    ///      "refusal": "Refused: …" | null,
    ///      "changes": [{"action": "create"|"update"|"delete"|"unchanged", "kind": "App"|"User",
    ///                   "name", "fields": [{"path", "old", "new", "sensitive"}]}],
    ///      "effects": [{"app", "appID", "action": "none"|"closeAll", "code", "reason", "dropChannels"}],
    ///      "endedSessions": ["bob"],
    ///      "counts": {"add", "change", "delete", "unchanged"}}
    ///
    /// `changes` lists every object, unchanged ones too. Field values keep their JSON type; `null` is an
    /// absent field or an unlimited limit; a secret is only ever `"(set)"` or `"(changed)"` with
    /// `"sensitive": true`. Effects of `"none"` have `null` code and reason.
    public var jsonValue: JSONValue {
        .object([
            ("summary", .string(summary)),
            ("hasChanges", .bool(hasChanges)),
            ("source", source.map(Self.json) ?? .null),
            ("refusal", refusal.map { .string($0.description) } ?? .null),
            ("changes", .array(changes.map(Self.json))),
            ("effects", .array(connectionEffects.map(Self.json))),
            ("endedSessions", .array(endedSessions.map(JSONValue.string))),
            ("counts", Self.json(counts)),
        ])
    }

    /// `jsonValue` as compact text.
    public func renderJSON() -> String { jsonValue.serialized }

    private static func json(_ source: Source) -> JSONValue {
        .object([
            ("branch", source.branch.map(JSONValue.string) ?? .null),
            ("revision", .string(source.revision)),
            ("shortRevision", .string(source.shortRevision)),
            ("subject", source.subject.map(JSONValue.string) ?? .null),
            ("author", source.author.map(JSONValue.string) ?? .null),
        ])
    }

    private static func json(_ change: ObjectChange) -> JSONValue {
        .object([
            ("action", .string(change.action.rawValue)),
            ("kind", .string(change.kind.rawValue)),
            ("name", .string(change.name)),
            ("fields", .array(change.fields.map(json))),
        ])
    }

    private static func json(_ field: FieldChange) -> JSONValue {
        .object([
            ("path", .string(field.path)),
            ("old", field.old?.json ?? .null),
            ("new", field.new?.json ?? .null),
            ("sensitive", .bool(field.old?.isMasked == true || field.new?.isMasked == true)),
        ])
    }

    private static func json(_ effect: ConnectionEffect) -> JSONValue {
        var members: [(String, JSONValue)] = [("app", .string(effect.appName)), ("appID", .string(effect.appID))]
        switch effect.action {
        case .none:
            members += [
                ("action", .string("none")), ("code", .null), ("reason", .null), ("dropChannels", .bool(false)),
            ]
        case .closeAll(let code, let reason, let dropChannels):
            members += [
                ("action", .string("closeAll")), ("code", .number(String(code))), ("reason", .string(reason)),
                ("dropChannels", .bool(dropChannels)),
            ]
        }
        return .object(members)
    }

    private static func json(_ counts: Counts) -> JSONValue {
        .object([
            ("add", .number(String(counts.add))),
            ("change", .number(String(counts.change))),
            ("delete", .number(String(counts.delete))),
            ("unchanged", .number(String(counts.unchanged))),
        ])
    }
}
