import Yams

/// Reads one YAML document over Yams `Node`s, collecting located errors instead of throwing,
/// so a single pass reports every problem. Also remembers where each field was written.
struct NodeReader {
    let file: String
    private(set) var errors: [ManifestError] = []
    /// Location of each field value read through `fields`, by JSON pointer.
    private(set) var locations: [String: ManifestLocation] = [:]

    init(file: String) {
        self.file = file
    }

    func location(_ node: Node, _ path: String) -> ManifestLocation {
        let mark = node.mark
        return ManifestLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, path: path)
    }

    mutating func fail(_ message: String, _ node: Node, _ path: String) {
        errors.append(ManifestError(message, at: location(node, path)))
    }

    /// The fields of a mapping by name, after reporting a non-mapping, non-string and duplicate
    /// keys, unknown fields and missing required ones. `nil` when `node` is not a mapping.
    mutating func fields(
        _ node: Node, _ path: String, allowed: [String], required: [String] = []
    ) -> [String: Node]? {
        guard let mapping = node.mapping else {
            fail("must be a mapping, got \(Self.kind(of: node))", node, path)
            return nil
        }
        var values: [String: Node] = [:]
        var keyNodes: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string else {
                fail("keys must be plain strings", keyNode, path)
                continue
            }
            let childPath = path + "/" + Self.escape(name)
            if let first = keyNodes[name] {
                let line = first.mark.map { " (first at line \($0.line))" } ?? ""
                fail("duplicate key \"\(name)\"\(line)", keyNode, childPath)
                continue
            }
            keyNodes[name] = keyNode
            guard allowed.contains(name) else {
                fail("unknown field", keyNode, childPath)
                continue
            }
            values[name] = value
            locations[childPath] = location(value, childPath)
        }
        for name in required where values[name] == nil && keyNodes[name] == nil {
            fail("missing required field", node, path + "/" + name)
        }
        return values
    }

    /// The items of a sequence, or `nil` after reporting a non-sequence.
    mutating func items(_ node: Node, _ path: String) -> [Node]? {
        guard let sequence = node.sequence else {
            fail("must be a list, got \(Self.kind(of: node))", node, path)
            return nil
        }
        return Array(sequence)
    }

    /// A JSON pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// The YAML type of a node (`str`, `int`, `bool`, …) as the default resolver reads it.
    static func tagName(_ node: Node) -> Tag.Name {
        Resolver.default.resolveTag(of: node)
    }

    /// How a node reads to a person, for "got …" in messages.
    static func kind(of node: Node) -> String {
        if node.mapping != nil { return "a mapping" }
        if node.sequence != nil { return "a list" }
        guard let scalar = node.scalar else { return "an alias" }
        switch Self.tagName(node) {
        case .str: return "a string"
        case .null: return "an empty value"
        case .bool: return "a boolean"
        case .int, .float: return "a number"
        case .timestamp: return "a date"
        default: return "'\(scalar.string)'"
        }
    }
}
