import Yams

extension NodeReader {
    /// `metadata.name`, the identity of the object among its kind.
    mutating func metadataName(_ node: Node) -> String? {
        guard let fields = fields(node, "/metadata", allowed: ["name"], required: ["name"]),
            let name = fields["name"]
        else { return nil }
        return string(name, "/metadata/name", pattern: ManifestRules.namePattern)
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
