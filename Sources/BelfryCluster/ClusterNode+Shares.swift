import BelfryRedis
import BelfryServer
import NIOCore

/// Writing this node's share of each changed channel to Redis, and acting on what Redis decided.
extension ClusterNode {
    // MARK: Channel shares

    public func channelChanged(appID: String, channel: String, userID: String?) {
        let ref = ChannelRef(appID: appID, channel: channel)
        let start = state.withLockedValue { state -> Bool in
            if let userID {
                state.dirty[ref, default: Dirty()].users.insert(userID)
            } else {
                state.dirty[ref] = state.dirty[ref] ?? Dirty()
            }
            return Self.claimFlush(&state)
        }
        if start { flush() }
    }

    public func join(
        appID: String, channel: String, userID: String, maxMembers: Int?,
        _ reply: @escaping @Sendable (ClusterJoin) -> Void
    ) {
        let ref = ChannelRef(appID: appID, channel: channel)
        let start = state.withLockedValue { state -> Bool in
            state.dirty[ref, default: Dirty()].users.insert(userID)
            state.waiters[ref, default: []].append(
                Waiter(userID: userID, maxMembers: maxMembers, reply: reply))
            return Self.claimFlush(&state)
        }
        if start { flush() }
    }

    /// Whether the caller should start a flush (none is running).
    static func claimFlush(_ state: inout State) -> Bool {
        guard !state.flushing else { return false }
        state.flushing = true
        return true
    }

    /// Writes the shares of every changed channel in one pipeline, handles the answers, and
    /// goes on while more changed meanwhile. One flush runs at a time, so the writes of one
    /// channel reach Redis in the order its changes happened.
    func flush() {
        let taken = state.withLockedValue { state -> (PusherServer, [ChannelRef: Dirty], [ChannelRef: [Waiter]])? in
            guard let server = state.server, !state.dirty.isEmpty || !state.waiters.isEmpty else {
                state.flushing = false
                return nil
            }
            defer {
                state.dirty = [:]
                state.waiters = [:]
            }
            return (server, state.dirty, state.waiters)
        }
        guard let (server, dirty, waiters) = taken else { return }
        guard commands.state == .connected else {
            // Rewritten in full when the link is back; a join is answered from this node.
            for list in waiters.values { for waiter in list { waiter.reply(.local) } }
            state.withLockedValue { $0.flushing = false }
            return
        }
        let syncs: [(ChannelRef, ChannelSync)] = dirty.map { ref, change in
            let waiting = waiters[ref] ?? []
            let share = server.share(appID: ref.appID, channel: ref.channel, users: change.full ? nil : change.users)
            return (
                ref,
                ChannelSync(
                    node: id, appID: ref.appID, channel: ref.channel, share: share, full: change.full,
                    maxMembers: waiting.first?.maxMembers, wantsRoster: !waiting.isEmpty)
            )
        }
        submit(syncs.map { $0.1.command(keys) }) { result in
            switch result {
            case .failure(let failure):
                self.syncFailed("\(failure)", dirty: dirty)
                for list in waiters.values { for waiter in list { waiter.reply(.local) } }
            case .success(let answers):
                for ((ref, sync), answer) in zip(syncs, answers) {
                    self.apply(answer, of: sync, waiters: waiters[ref] ?? [], server: server, change: dirty[ref])
                }
                if dirty.values.contains(where: \.resync) {
                    // Everything written again: every node refreshes its presence rosters.
                    self.commands.submit([
                        [
                            Array("PUBLISH".utf8), Array(self.keys.bus.utf8),
                            ClusterEnvelope.encode(from: self.id, .resynced),
                        ]
                    ]) { _ in }
                    Task { await self.refreshRosters() }
                }
            }
            let again = self.state.withLockedValue { state -> Bool in
                if state.dirty.isEmpty && state.waiters.isEmpty {
                    state.flushing = false
                    return false
                }
                return true
            }
            if again { self.flush() }
        }
    }

    /// A sync that did not reach Redis: its channels are written again with the next flush
    /// (while the link is up; else the resync when it is back covers them).
    func syncFailed(_ reason: String, dirty: [ChannelRef: Dirty]) {
        syncFailures.wrappingIncrement(ordering: .relaxed)
        let log = state.withLockedValue { state -> Bool in
            for (ref, change) in dirty { state.dirty[ref, default: Dirty()].merge(change) }
            return state.logs.allow("sync", now: Timestamp.nanoseconds)
        }
        if log { logger.warning("cluster sync failed", metadata: ["node": "\(id)", "reason": "\(reason)"]) }
    }

    /// Acts on what Redis decided for one channel: webhooks, member frames, waiting joins.
    /// - Parameter change: this node's change that was written (nil for a reap).
    func apply(
        _ answer: RESPValue, of sync: ChannelSync, waiters: [Waiter], server: PusherServer, change: Dirty? = nil
    ) {
        guard let result = ChannelSync.parse(answer) else {
            syncFailures.wrappingIncrement(ordering: .relaxed)
            if state.withLockedValue({ $0.logs.allow("answer", now: Timestamp.nanoseconds) }) {
                logger.warning(
                    "unexpected answer to a cluster sync", metadata: ["node": "\(id)", "answer": "\(answer)"])
            }
            for waiter in waiters { waiter.reply(.local) }
            return
        }
        guard case .done(let outcome) = result else { return }
        let ref = ChannelRef(appID: sync.appID, channel: sync.channel)
        let before = change == nil ? nil : record(sync, outcome: outcome, ref: ref)
        // A restoration after Redis lost its data is not news: no webhook for what this node had
        // written before.
        let restored = change?.restore == true ? before : nil
        let now = Timestamp.nowMs
        var events: [WebhookEvent] = []
        if outcome.occupied, restored?.occupied != true {
            events.append(WebhookEvent(.channelOccupied, channel: sync.channel, timeMs: now))
        }
        if outcome.before != outcome.after, !sync.isPresence {
            server.raiseCount(appID: sync.appID, channel: sync.channel, count: outcome.after)
        }
        for member in outcome.added where member.webhook && restored?.users.contains(member.id) != true {
            events.append(WebhookEvent(.memberAdded, channel: sync.channel, userID: member.id, timeMs: now))
        }
        if !events.isEmpty { server.raiseDecided(appID: sync.appID, events) }
        let roster = outcome.roster.map { (id: $0.id, info: $0.info) }
        for waiter in waiters {
            waiter.reply(outcome.refused.contains(waiter.userID) ? .full : .joined(roster: roster))
        }
        // After a resync every node sends whole rosters instead of member frames.
        guard change?.resync != true else { return }
        if !outcome.added.isEmpty || !outcome.removed.isEmpty {
            server.announce(
                appID: sync.appID, channel: sync.channel, added: outcome.added.map { ($0.id, $0.info) },
                removed: outcome.removed)
        }
    }

    /// Remembers what this node's write told Redis; returns what it had written before.
    func record(_ sync: ChannelSync, outcome: ChannelSync.Outcome, ref: ChannelRef) -> Written {
        state.withLockedValue { state in
            let before = state.written[ref] ?? Written()
            var now = before
            now.occupied = sync.share.subscriptions > 0
            if sync.full { now.users = [] }
            for user in sync.share.users {
                if user.connections > 0, !outcome.refused.contains(user.id) {
                    now.users.insert(user.id)
                } else {
                    now.users.remove(user.id)
                }
            }
            state.written[ref] = now.occupied || !now.users.isEmpty ? now : nil
            return before
        }
    }

    /// Writes every share of this node again: the channels it has, and those Redis thinks it
    /// has (a leave that was lost while the link was down).
    func resync(reason: String, restore: Bool = false) async {
        guard let server else { return }
        let indexed = await run([["SMEMBERS", keys.index(id)].map { Array($0.utf8) }])
        var refs = Set(server.localChannels.map { ChannelRef(appID: $0.appID, channel: $0.channel) })
        if case .success(let answers) = indexed {
            for entry in answers.first?.elements?.compactMap(\.string) ?? [] {
                let parts = entry.split(separator: "\n", maxSplits: 1).map(String.init)
                if parts.count == 2 { refs.insert(ChannelRef(appID: parts[0], channel: parts[1])) }
            }
        }
        logger.info("cluster resync", metadata: ["node": "\(id)", "channels": "\(refs.count)", "reason": "\(reason)"])
        let start = state.withLockedValue { state -> Bool in
            for ref in refs {
                state.dirty[ref, default: Dirty()].merge(Dirty(full: true, resync: true, restore: restore))
            }
            return Self.claimFlush(&state)
        }
        if start { flush() }
    }
}
