import BelfryJSON

/// What a node says about itself in its heartbeat (`P:node:ID`, JSON), for the others' counts,
/// `/readyz`, the status page and `/metrics`. Pure.
public struct NodeInfo: Sendable, Equatable {
    public var id: String
    /// Where its public port listens (host:port as configured), for an operator.
    public var address: String
    public var version: String
    /// The configuration revision it serves: the nodes converge on the same one.
    public var revision: String
    /// When it started, ms since 1970.
    public var startedMs: Int64
    /// Open connections per app id.
    public var connections: [String: Int]

    public init(
        id: String, address: String, version: String, revision: String, startedMs: Int64,
        connections: [String: Int]
    ) {
        self.id = id
        self.address = address
        self.version = version
        self.revision = revision
        self.startedMs = startedMs
        self.connections = connections
    }

    public var totalConnections: Int { connections.values.reduce(0, +) }

    public var json: String {
        JSONValue.object([
            ("id", .string(id)), ("address", .string(address)), ("version", .string(version)),
            ("revision", .string(revision)), ("startedMs", .number(String(startedMs))),
            (
                "connections",
                .object(connections.sorted { $0.key < $1.key }.map { ($0.key, .number(String($0.value))) })
            ),
        ]).serialized
    }

    public static func parse(_ text: String) -> NodeInfo? {
        guard let value = try? JSONParser.parse(text), let id = value["id"]?.stringValue else { return nil }
        var connections: [String: Int] = [:]
        if case .object(let fields)? = value["connections"] {
            for (app, count) in fields { connections[app] = count.intValue ?? 0 }
        }
        return NodeInfo(
            id: id, address: value["address"]?.stringValue ?? "", version: value["version"]?.stringValue ?? "",
            revision: value["revision"]?.stringValue ?? "", startedMs: Int64(value["startedMs"]?.intValue ?? 0),
            connections: connections)
    }
}
