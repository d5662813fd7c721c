import BelfryJSON
import BelfryServer

/// What an operator sees of the cluster: `/readyz`'s `cluster` check, `/metrics`, the status page.
extension ClusterNode {
    public struct Status: Sendable {
        public var nodeID: String
        public var prefix: String
        public var redis: String
        public var connected: Bool
        /// This node first, then the others alive as of the last heartbeat.
        public var nodes: [NodeInfo]
        /// Seconds since the last successful heartbeat (nil: none yet).
        public var secondsSinceBeat: Double?
        public var published: Int
        public var received: Int
        public var dropped: Int
        /// Times this node stopped reading the bus because its loops were behind.
        public var busPauses: Int
        public var syncFailures: Int
        public var reaped: Int
    }

    public var status: Status {
        let (peers, lastBeat, reaped, server) = state.withLockedValue {
            ($0.peers, $0.lastBeatAt, $0.reaped, $0.server)
        }
        let me = NodeInfo(
            id: id, address: settings.address, version: settings.version,
            revision: server?.currentConfiguration.revision ?? "", startedMs: 0,
            connections: server?.localConnections ?? [:])
        return Status(
            nodeID: id, prefix: keys.prefix, redis: "\(settings.url)", connected: isConnected, nodes: [me] + peers,
            secondsSinceBeat: lastBeat == 0 ? nil : Double(Timestamp.nanoseconds &- lastBeat) / 1e9,
            published: published.load(ordering: .relaxed), received: received.load(ordering: .relaxed),
            dropped: dropped.load(ordering: .relaxed), busPauses: busPauses.load(ordering: .relaxed),
            syncFailures: syncFailures.load(ordering: .relaxed),
            reaped: reaped)
    }

    /// A note, never fatal: a node whose link is down still serves its own clients, and taking
    /// it out of the load balancer would only move them.
    public func readiness() -> Readiness.Outcome {
        let status = self.status
        var problem: String?
        if !status.connected {
            problem = "redis link down (\(status.redis)); serving local clients only"
        } else if let seconds = status.secondsSinceBeat, seconds * 1000 > Double(settings.deadAfterMs) {
            problem = "no heartbeat for \(Int(seconds)) s"
        }
        let nodes: [JSONValue] = status.nodes.map { node in
            .object([
                ("id", .string(node.id)), ("address", .string(node.address)), ("revision", .string(node.revision)),
                ("connections", .number(String(node.totalConnections))), ("alive", .bool(true)),
            ])
        }
        return Readiness.Outcome(
            problem: problem,
            detail: [
                ("node", .string(status.nodeID)), ("prefix", .string(status.prefix)), ("redis", .string(status.redis)),
                ("link", .string(status.connected ? "connected" : "down")), ("nodes", .array(nodes)),
            ])
    }
}
