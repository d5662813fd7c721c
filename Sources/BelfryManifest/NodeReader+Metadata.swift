import Yams

extension NodeReader {
    /// `metadata.name`, the identity of the object among its kind, and `metadata.annotations`.
    mutating func metadata(_ node: Node) -> (name: String?, annotations: [String: String]) {
        guard let fields = fields(node, "/metadata", allowed: ["name", "annotations"], required: ["name"]) else {
            return (nil, [:])
        }
        let name = fields["name"].flatMap { string($0, "/metadata/name", pattern: ManifestRules.namePattern) }
        var annotations: [String: String] = [:]
        for (key, value) in fields["annotations"]?.mapping ?? [:] {
            guard let key = key.scalar?.string else { continue }
            annotations[key] = string(value, "/metadata/annotations/" + Self.escape(key))
        }
        return (name, annotations)
    }

    /// A list of unique strings, each matching `pattern`.
    mutating func uniqueStrings(
        _ node: Node, _ path: String, pattern: String, otherwise message: String? = nil
    ) -> [String]? {
        guard let items = items(node, path) else { return nil }
        var values: [String] = []
        for (index, item) in items.enumerated() {
            guard let value = string(item, "\(path)/\(index)", pattern: pattern, otherwise: message) else { continue }
            if values.contains(value) {
                fail("duplicate item \(Self.quoted(value))", item, "\(path)/\(index)")
            } else {
                values.append(value)
            }
        }
        return values
    }

    /// A string that must not be empty.
    mutating func nonEmptyString(_ node: Node, _ path: String) -> String? {
        guard let value = string(node, path) else { return nil }
        guard !value.isEmpty else {
            fail("must not be empty", node, path)
            return nil
        }
        return value
    }
}
