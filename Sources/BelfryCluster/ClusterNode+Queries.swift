import BelfryRedis
import BelfryServer
import NIOCore

/// Cluster-wide answers for the HTTP API and the admission check, and the Redis calls underneath.
extension ClusterNode {
    // MARK: Queries

    public func remoteConnections(appID: String) -> Int {
        state.withLockedValue { $0.remoteConnections[appID] ?? 0 }
    }

    public func claimCacheMiss(appID: String, channel: String, _ reply: @escaping @Sendable (Bool) -> Void) {
        let command = ["SET", keys.cacheMiss(app: appID, channel: channel), id, "NX", "PX", "86400000"]
        submit([command.map { Array($0.utf8) }]) { result in
            if case .success(let answers) = result { reply(answers.first?.string == "OK") } else { reply(false) }
        }
    }

    public func cachedEvent(
        appID: String, channel: String,
        _ reply: @escaping @Sendable ((entry: ClusterCacheEntry, remainingMs: Int)?) -> Void
    ) {
        let key = keys.cache(app: appID, channel: channel)
        submit([["GET", key], ["PTTL", key]].map { $0.map { Array($0.utf8) } }) { result in
            guard case .success(let answers) = result, answers.count == 2, let bytes = answers[0].bytes,
                let entry = ClusterCacheEntry(stored: bytes), let remaining = answers[1].integer, remaining > 0
            else { return reply(nil) }
            reply((entry, Int(remaining)))
        }
    }

    public func counts(
        appID: String, channels: [String],
        _ reply: @escaping @Sendable (Result<[String: ClusterChannelCounts], ClusterUnavailable>) -> Void
    ) {
        let commands = channels.map { channel in
            ClusterScript.counts.evalsha(
                keys: [keys.subscriptions(app: appID, channel: channel), keys.members(app: appID, channel: channel)],
                arguments: [])
        }
        submit(commands) { result in
            reply(
                result.mapError { ClusterUnavailable("\($0)") }.flatMap { answers in
                    var counts: [String: ClusterChannelCounts] = [:]
                    for (channel, answer) in zip(channels, answers) {
                        guard let pair = answer.elements, pair.count == 2, let subs = pair[0].integer,
                            let users = pair[1].integer
                        else { return .failure(ClusterUnavailable("unexpected answer \(answer)")) }
                        if subs > 0 {
                            counts[channel] = ClusterChannelCounts(subscriptionCount: Int(subs), userCount: Int(users))
                        }
                    }
                    return .success(counts)
                })
        }
    }

    public func occupiedChannels(
        appID: String, prefix: String,
        _ reply: @escaping @Sendable (Result<[String: ClusterChannelCounts], ClusterUnavailable>) -> Void
    ) {
        let command = ClusterScript.occupied.evalsha(
            keys: [keys.occupied(app: appID)],
            arguments: [keys.prefix + ":", prefix, appID].map { Array($0.utf8) })
        submit([command]) { result in
            reply(
                result.mapError { ClusterUnavailable("\($0)") }.flatMap { answers in
                    guard let items = answers.first?.elements, items.count % 3 == 0 else {
                        return .failure(ClusterUnavailable("unexpected answer"))
                    }
                    var counts: [String: ClusterChannelCounts] = [:]
                    for index in stride(from: 0, to: items.count, by: 3) {
                        guard let name = items[index].string, let subs = items[index + 1].integer,
                            let users = items[index + 2].integer
                        else { continue }
                        counts[name] = ClusterChannelCounts(subscriptionCount: Int(subs), userCount: Int(users))
                    }
                    return .success(counts)
                })
        }
    }

    public func users(
        appID: String, channel: String, _ reply: @escaping @Sendable (Result<[String], ClusterUnavailable>) -> Void
    ) {
        submit([["HKEYS", keys.members(app: appID, channel: channel)].map { Array($0.utf8) }]) { result in
            reply(
                result.mapError { ClusterUnavailable("\($0)") }.map { answers in
                    (answers.first?.elements?.compactMap(\.string) ?? []).sorted()
                })
        }
    }

    // MARK: Redis calls

    /// Submits commands in order; an `EVALSHA` that Redis does not know (`NOSCRIPT`, after a
    /// restart) is sent again as `EVAL` before the answers are handed over.
    func submit(
        _ batch: [[[UInt8]]], _ done: @escaping @Sendable (Result<[RESPValue], RedisFailure>) -> Void
    ) {
        guard !batch.isEmpty else { return done(.success([])) }
        let commands = self.commands
        commands.submit(batch) { result in
            guard case .success(let answers) = result else { return done(result) }
            let missing = answers.indices.filter {
                if case .error(let message) = answers[$0] { return message.hasPrefix("NOSCRIPT") }
                return false
            }
            guard !missing.isEmpty else { return done(result) }
            let retry = missing.map { index -> [[UInt8]] in
                let sha = String(decoding: batch[index][1], as: UTF8.self)
                return ClusterScript.all.first { $0.sha1 == sha }?.eval(batch[index]) ?? batch[index]
            }
            commands.submit(retry) { again in
                guard case .success(let retried) = again else { return done(again) }
                var merged = answers
                for (index, answer) in zip(missing, retried) { merged[index] = answer }
                done(.success(merged))
            }
        }
    }

    func run(_ batch: [[[UInt8]]]) async -> Result<[RESPValue], RedisFailure> {
        await withCheckedContinuation { continuation in
            submit(batch) { continuation.resume(returning: $0) }
        }
    }
}
