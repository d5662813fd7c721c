import BelfryJSON

/// Second load pass: compiles every schema position into a `Node`, resolving `$ref` to node
/// indices and refusing anything it does not implement.
///
/// Nodes are memoised by pointer and registered before their keywords are compiled, so a `$ref`
/// back to an enclosing schema resolves to the index being built instead of recursing forever.
struct Compiler {
    /// The whole schema document; `$ref` targets are pointers into it.
    let document: JSONValue
    /// Base URIs, resources and anchors from the first pass.
    let index: ResourceIndex
    /// Compiled nodes; a node's index is its identity.
    private(set) var nodes: [Node] = []
    private var compiled: [String: Int] = [:]

    /// Indexes `document` (first pass); nothing is compiled until `compile(at:)`.
    init(document: JSONValue) throws(SchemaLoadError) {
        self.document = document
        self.index = try ResourceIndex(document: document)
    }

    /// The index of the node for the schema at `pointer`, compiling it (and its subschemas) once.
    mutating func compile(at pointer: String) throws(SchemaLoadError) -> Int {
        if let id = compiled[pointer] { return id }
        guard let value = JSONPointer.resolve(pointer, in: document) else {
            throw SchemaLoadError(keywordLocation: pointer, message: "no schema at this location")
        }
        let id = nodes.count
        compiled[pointer] = id
        nodes.append(Node(location: pointer, body: .constant(true)))  // placeholder while compiling
        switch value {
        case .bool(let accepts):
            nodes[id] = Node(location: pointer, body: .constant(accepts))
        case .object(let members):
            var keywords: [Keyword] = []
            var last: [Keyword] = []
            for (name, operand) in members {
                guard let rule = try rule(name, operand, in: value, at: pointer) else { continue }
                let keyword = Keyword(name: name, rule: rule)
                if name.hasPrefix("unevaluated") { last.append(keyword) } else { keywords.append(keyword) }
            }
            nodes[id] = Node(location: pointer, body: .keywords(keywords + last))
        default:
            throw SchemaLoadError(
                keywordLocation: pointer,
                message: "a schema must be an object or a boolean, not \(JSONType(of: value).phrase)")
        }
        return id
    }

    /// Resolves a `$ref` value against the base URI of the schema at `pointer`.
    mutating func reference(_ text: String, from pointer: String, at location: String) throws(SchemaLoadError) -> Int {
        let base = index.bases[pointer] ?? URIReference("")
        let target = base.resolving(URIReference(text))
        let resource = target.withoutFragment.text
        guard let resourcePointer = index.resources[resource] else {
            let scheme = target.scheme?.lowercased()
            let shown = target.text == text ? "\"\(text)\"" : "\"\(text)\" (\(target.text))"
            let message =
                scheme == "http" || scheme == "https"
                ? "remote $ref \(shown) is not supported: only schemas inside this document can be referenced"
                : "$ref \(shown) does not resolve to a schema in this document"
            throw SchemaLoadError(keywordLocation: location, message: message)
        }
        guard let fragment = JSONPointer.percentDecoded(target.fragment ?? "") else {
            throw SchemaLoadError(keywordLocation: location, message: "$ref \"\(text)\" has a malformed %-escape")
        }
        if fragment.isEmpty { return try compile(at: resourcePointer) }
        if fragment.hasPrefix("/") {
            let targetPointer = resourcePointer + fragment
            guard index.bases[targetPointer] != nil else {
                throw SchemaLoadError(keywordLocation: location, message: "$ref \"\(text)\" does not point to a schema")
            }
            return try compile(at: targetPointer)
        }
        guard let anchored = index.anchors[resource + "#" + fragment] else {
            throw SchemaLoadError(keywordLocation: location, message: "$ref \"\(text)\": no $anchor \"\(fragment)\"")
        }
        return try compile(at: anchored)
    }
}
