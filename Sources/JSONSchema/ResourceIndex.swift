import BelfryJSON

/// First load pass: walks every schema position of a document, computing each one's base URI
/// and recording the resources (`$id`) and anchors (`$anchor`) that `$ref` can name.
///
/// Only schema positions are walked, so an `$id` inside `enum` or `const` is data, not an identifier.
struct ResourceIndex {
    /// Base URI (no fragment) of every schema position, keyed by its JSON pointer.
    private(set) var bases: [String: URIReference] = [:]
    /// Pointer of each schema resource, keyed by its absolute URI text (no fragment); the
    /// document itself is the resource `""` unless its root has an `$id`.
    private(set) var resources: [String: String] = [:]
    /// Pointer of each `$anchor`, keyed by `resource URI#anchor`.
    private(set) var anchors: [String: String] = [:]

    /// Indexes `document`; throws on a malformed or duplicate `$id` / `$anchor`.
    init(document: JSONValue) throws(SchemaLoadError) {
        if document["$id"] == nil { resources[""] = "" }
        try scan(document, at: "", base: URIReference(""))
    }

    private mutating func scan(_ value: JSONValue, at pointer: String, base: URIReference) throws(SchemaLoadError) {
        guard case .object(let members) = value else {
            bases[pointer] = base
            return
        }
        var base = base
        if let id = value["$id"] {
            let location = JSONPointer.appending(pointer, "$id")
            guard let text = id.stringValue else {
                throw SchemaLoadError(keywordLocation: location, message: "must be a string")
            }
            let reference = URIReference(text)
            if let fragment = reference.fragment, !fragment.isEmpty {
                throw SchemaLoadError(
                    keywordLocation: location,
                    message: "\"$id\" must not have a fragment (use \"$anchor\" for \"#\(fragment)\")")
            }
            base = base.resolving(reference).withoutFragment
            try Self.register(&resources, base.text, pointer, location, what: "$id")
        }
        bases[pointer] = base
        if let anchor = value["$anchor"] {
            let location = JSONPointer.appending(pointer, "$anchor")
            guard let name = anchor.stringValue, Self.isAnchorName(name) else {
                throw SchemaLoadError(
                    keywordLocation: location, message: "must be a name matching ^[A-Za-z_][-A-Za-z0-9._]*$")
            }
            try Self.register(&anchors, base.text + "#" + name, pointer, location, what: "$anchor")
        }
        for (name, child) in members {
            let location = JSONPointer.appending(pointer, name)
            if Vocabulary.singleSchema.contains(name) {
                try scan(child, at: location, base: base)
            } else if Vocabulary.schemaMap.contains(name), case .object(let entries) = child {
                for (key, schema) in entries { try scan(schema, at: JSONPointer.appending(location, key), base: base) }
            } else if Vocabulary.schemaArray.contains(name), case .array(let items) = child {
                for (offset, schema) in items.enumerated() {
                    try scan(schema, at: JSONPointer.appending(location, offset), base: base)
                }
            }
        }
    }

    private static func register(
        _ table: inout [String: String], _ key: String, _ pointer: String, _ location: String, what: String
    ) throws(SchemaLoadError) {
        if let existing = table[key], existing != pointer {
            let previous = existing.isEmpty ? "(root)" : existing
            throw SchemaLoadError(
                keywordLocation: location, message: "duplicate \(what) \"\(key)\" (also at \(previous))")
        }
        table[key] = pointer
    }

    private static func isAnchorName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic && first.isASCII
        else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._".unicodeScalars.contains($0))
        }
    }
}
