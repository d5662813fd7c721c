import BelfryRedis
import BelfryServer
import NIOCore

/// The heartbeat that keeps this node alive in the others' eyes, the reaping of dead nodes, and the
/// claim of delayed webhook events.
extension ClusterNode {
    // MARK: Heartbeat and reaping

    func beat() async {
        guard let server else { return }
        let configuration = server.currentConfiguration
        let info = NodeInfo(
            id: id, address: settings.address, version: settings.version, revision: configuration.revision,
            startedMs: startedMs, connections: server.localConnections)
        let command = ClusterScript.beat.evalsha(
            keys: [keys.nodes, keys.node(id)],
            arguments: [id, info.json, String(settings.deadAfterMs), String(settings.deadAfterMs), keys.prefix].map {
                Array($0.utf8)
            })
        guard case .success(let answers) = await run([command]), let parts = answers.first?.elements,
            parts.count == 4, let dead = parts[0].elements?.compactMap(\.string),
            let live = parts[1].elements?.compactMap(\.string), let infos = parts[2].elements?.compactMap(\.string)
        else {
            state.withLockedValue { $0.beatProblem = "heartbeat failed" }
            return
        }
        let known = parts[3].integer == 1
        var peers: [NodeInfo] = []
        var remote: [String: Int] = [:]
        for (nodeID, text) in zip(live, infos) where nodeID != id {
            guard let peer = NodeInfo.parse(text) else { continue }
            peers.append(peer)
            for (app, count) in peer.connections { remote[app, default: 0] += count }
        }
        state.withLockedValue { state in
            state.peers = peers.sorted { $0.id < $1.id }
            state.remoteConnections = remote
            state.lastBeatAt = Timestamp.nanoseconds
            state.beatProblem = nil
        }
        if !known { await resync(reason: "this node was not registered") }
        for nodeID in dead where nodeID != id { await reap(nodeID, server: server) }
    }

    /// Reaps a dead node if this node takes its lock: writes each of its shares as empty.
    func reap(_ nodeID: String, server: PusherServer) async {
        let lock = await run([["SET", keys.reapLock(nodeID), id, "NX", "PX", "30000"].map { Array($0.utf8) }])
        guard case .success(let answers) = lock, answers.first?.string == "OK" else { return }
        guard case .success(let indexed) = await run([["SMEMBERS", keys.index(nodeID)].map { Array($0.utf8) }])
        else { return }
        let syncs: [ChannelSync] = (indexed.first?.elements?.compactMap(\.string) ?? []).compactMap { entry in
            let parts = entry.split(separator: "\n", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            return ChannelSync(
                node: nodeID, appID: parts[0], channel: parts[1], share: ChannelShare(subscriptions: 0), full: true,
                reap: true)
        }
        if !syncs.isEmpty, case .success(let results) = await run(syncs.map { $0.command(keys) }) {
            for (sync, answer) in zip(syncs, results) { apply(answer, of: sync, waiters: [], server: server) }
        }
        _ = await run([
            ClusterScript.forget.evalsha(
                keys: [keys.nodes, keys.node(nodeID), keys.index(nodeID)], arguments: [Array(nodeID.utf8)])
        ])
        state.withLockedValue { $0.reaped += 1 }
        logger.warning(
            "reaped a dead node", metadata: ["node": "\(id)", "dead": "\(nodeID)", "channels": "\(syncs.count)"])
    }

    /// Sends the delayed webhook events that are due; Redis hands each to one node.
    func claimDue() async {
        guard let server, isConnected else { return }
        let command = ClusterScript.claim.evalsha(keys: [keys.due], arguments: [Array("100".utf8)])
        guard case .success(let answers) = await run([command]), let items = answers.first?.elements else { return }
        var byApp: [String: [WebhookEvent]] = [:]
        let now = Timestamp.nowMs
        for item in items.compactMap(\.string) {
            guard let due = DueEvent.parse(item) else { continue }
            byApp[due.appID, default: []].append(
                WebhookEvent(due.event, channel: due.channel, userID: due.userID, timeMs: now))
        }
        for (appID, events) in byApp { server.raiseDecided(appID: appID, events) }
    }
}
