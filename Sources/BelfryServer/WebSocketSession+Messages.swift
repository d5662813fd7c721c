import BelfryJSON
import BelfryManifest
import NIOCore
import PusherProtocol

/// Protocol messages of a connected client: subscribe, unsubscribe, ping, sign-in, client events.
extension WebSocketSession {
    static let maxEventNameLength = 200

    func handle(_ bytes: [UInt8], _ connection: Connection) {
        let message: ClientMessage
        switch ClientMessage.decode(bytes) {
        case .success(let m): message = m
        case .failure(let invalid):
            connection.send(ServerMessage.error(code: nil, message: invalid.message))
            return
        }
        guard let app = context.store.app(id: connection.appID) else {
            connection.close(CloseReason(.appDoesNotExist, "App no longer exists"))
            return
        }
        switch message {
        case .ping:
            connection.send(shared: .pong)
        case .pong:
            break
        case .subscribe(let channel, let auth, let channelData):
            subscribe(connection, app: app, channel: channel, auth: auth, channelData: channelData)
        case .unsubscribe(let channel):
            guard let presenceUser = connection.subscriptions.removeValue(forKey: channel) else { return }
            connection.forgetMembers(channel: channel)
            context.hubs.hub(for: app.id).unsubscribe(connection, channel: channel, presenceUserID: presenceUser)
            logger.debug(
                "unsubscribed",
                metadata: LogFields.app(id: app.id, name: app.name).merging([
                    "socket_id": "\(connection.socketID)", "channel": "\(channel)",
                ]))
        case .signin(let auth, let userData):
            signin(connection, app: app, auth: auth, userData: userData)
        case .clientEvent(let name, let channel, let data):
            clientEvent(connection, app: app, name: name, channel: channel, data: data)
        }
    }

    /// Refuses a subscribe: `pusher:error` (with `code`, 4301 for a rate, else null) and
    /// `pusher:subscription_error`, which pusher-js hands to the channel; the connection stays open.
    /// - Parameter limit: the `spec.limits` field that refused it, counted as `limit <name>`.
    func refuseSubscription(
        _ connection: Connection, channel: String, type: String, status: Int, code: UInt16? = nil,
        limit: String? = nil, _ message: String
    ) {
        if let (suppressed, _) = throttles.subscriptionRefusals.shouldLog(now: Now.nanoseconds) {
            logger.info(
                "subscription refused",
                metadata: LogFields.app(id: connection.appID, name: appName).merging([
                    "socket_id": "\(connection.socketID)", "channel": "\(channel)",
                    "reason": "\(message)", "suppressed": LogFields.number(suppressed),
                ]))
        }
        connection.counters.rejected(limit.map { "limit " + $0 } ?? "subscription \(type)")
        connection.send(ServerMessage.error(code: code, message: message))
        connection.send(ServerMessage.subscriptionError(channel: channel, type: type, error: message, status: status))
    }

    private func subscribe(_ connection: Connection, app: App, channel: String, auth: String?, channelData: String?) {
        if let rate = app.limits.subscriptionsPerSecond {
            // The burst covers a whole allowance of channels: a reconnecting client resubscribes at once.
            let burst = max(rate, app.limits.maxChannelsPerConnection ?? rate)
            let now = Now.nanoseconds
            if let bucket = connection.subscriptionBucket {
                if bucket.ratePerSecond != rate || bucket.burst != burst {
                    connection.subscriptionBucket = bucket.resized(ratePerSecond: rate, burst: burst, now: now)
                }
            } else {
                connection.subscriptionBucket = TokenBucket(ratePerSecond: rate, burst: burst, now: now)
            }
            guard connection.subscriptionBucket!.take(now: now) else {
                refuseSubscription(
                    connection, channel: channel, type: "LimitReached", status: 429,
                    code: CloseCode.clientEventRejected.rawValue, limit: "subscriptionsPerSecond",
                    "Subscription rate limit of \(rate) per second exceeded")
                return
            }
        }
        let kind: ChannelKind
        switch ChannelName.classify(channel) {
        case .success(let k): kind = k
        case .failure(let invalid):
            refuseSubscription(
                connection, channel: channel, type: "InvalidChannel", status: 400, "Invalid channel name: \(invalid)")
            return
        }
        let hub = context.hubs.hub(for: app.id)
        if let limit = app.limits.maxChannelsPerConnection, connection.subscriptions[channel] == nil,
            connection.subscriptions.count >= limit
        {
            refuseSubscription(
                connection, channel: channel, type: "LimitReached", status: 429, limit: "maxChannelsPerConnection",
                "A connection may subscribe to at most \(limit) channels; unsubscribe from one first")
            return
        }
        if case .serverToUser(let userID) = kind.access {
            guard connection.signedIn?.id == userID else {
                refuseSubscription(
                    connection, channel: channel, type: "AuthError", status: 403,
                    "Only a connection signed in as \(userID) may subscribe to \(channel)")
                return
            }
            connection.subscriptions[channel] = .some(nil)
            connection.send(ServerMessage.subscriptionSucceeded(channel: channel))
            return
        }
        if kind.requiresAuth {
            let message = Signature.channelMessage(
                socketID: connection.socketID, channel: channel,
                channelData: kind.isPresence ? (channelData ?? "") : nil)
            if case .failure(let refusal) = Signature.verifyToken(
                auth, appKey: app.key, secrets: app.verificationSecrets(now: Now.unixSeconds), message: message)
            {
                refuseSubscription(connection, channel: channel, type: "AuthError", status: 401, refusal.description)
                return
            }
        }
        if kind.isPresence {
            let member: PresenceMember
            switch PresenceMember.parse(channelData: channelData, maxUserInfoBytes: nil) {
            case .success(let m): member = m
            case .failure(let invalid):
                refuseSubscription(
                    connection, channel: channel, type: "InvalidChannelData", status: 400, invalid.message)
                return
            }
            if let limit = app.limits.maxPresenceInfoBytes, let info = member.userInfo,
                info.serialized.utf8.count > limit
            {
                refuseSubscription(
                    connection, channel: channel, type: "InvalidChannelData", status: 400,
                    limit: "maxPresenceInfoBytes",
                    "channel_data.user_info is larger than \(limit) bytes")
                return
            }
            if let existing = connection.subscriptions[channel] {
                // Already subscribed: answer again with the current roster, change nothing.
                _ = existing
                let members = hub.presenceMembers(channel: channel)
                connection.send(
                    ServerMessage.subscriptionSucceeded(
                        channel: channel, data: ServerMessage.presenceData(members: members)))
                return
            }
            let maxMembers = app.limits.maxPresenceMembers
            switch hub.joinPresence(connection, channel: channel, member: member, maxMembers: maxMembers) {
            case .full:
                refuseSubscription(
                    connection, channel: channel, type: "LimitReached", status: 403, limit: "maxPresenceMembers",
                    "Presence channel \(channel) already has \(maxMembers ?? 0) members")
                return
            case .joined(let members):
                connection.subscriptions[channel] = .some(member.userID)
                if let cluster = context.cluster {
                    awaitClusterJoin(
                        connection, cluster: cluster, app: app, channel: channel, userID: member.userID,
                        replaysCache: kind.isCache)
                } else {
                    connection.send(
                        ServerMessage.subscriptionSucceeded(
                            channel: channel, data: ServerMessage.presenceData(members: members)))
                }
            }
        } else {
            if connection.subscriptions[channel] == nil {
                hub.subscribe(connection, channel: channel)
                connection.subscriptions[channel] = .some(nil)
            }
            connection.send(ServerMessage.subscriptionSucceeded(channel: channel))
        }
        if kind.requiresAuth { connection.isAuthorized = true }
        logger.debug(
            "subscribed",
            metadata: LogFields.app(id: app.id, name: app.name).merging([
                "socket_id": "\(connection.socketID)", "channel": "\(channel)",
                "subscribers": LogFields.number(hub.counts(channel: channel)?.subscriptionCount ?? 0),
            ]))
        // A presence channel in a cluster replays once Redis has answered the join, after its
        // `subscription_succeeded`.
        if kind.isCache, !(kind.isPresence && context.cluster != nil) {
            replayCache(connection, hub: hub, channel: channel)
        }
    }

    /// A cluster's presence join: joined here already, answered once Redis has decided (the
    /// roster of every node, or full), then, on a cache channel (`replaysCache`), its last event.
    /// A connection that left meanwhile gets nothing.
    private func awaitClusterJoin(
        _ connection: Connection, cluster: any ClusterLink, app: App, channel: String, userID: String,
        replaysCache: Bool
    ) {
        let hub = context.hubs.hub(for: app.id)
        let maxMembers = app.limits.maxPresenceMembers
        let session = NIOLoopBound(self, eventLoop: connection.loop)
        cluster.join(
            appID: app.id, channel: channel, userID: userID, maxMembers: maxMembers
        ) { outcome in
            connection.onLoop { connection in
                guard !connection.isClosed, connection.subscriptions[channel] == .some(userID) else { return }
                switch outcome {
                case .joined(let roster):
                    let members = roster.map { member in
                        (id: member.id, info: member.info.flatMap { try? JSONParser.parse($0) })
                    }
                    connection.tellRoster(
                        channel: channel, ids: members.map(\.id),
                        frame: ServerMessage.subscriptionSucceeded(
                            channel: channel, data: ServerMessage.presenceData(members: members)))
                    if replaysCache { session.value.replayCache(connection, hub: hub, channel: channel) }
                case .local:
                    let members = hub.presenceMembers(channel: channel)
                    connection.tellRoster(
                        channel: channel, ids: members.map(\.id),
                        frame: ServerMessage.subscriptionSucceeded(
                            channel: channel, data: ServerMessage.presenceData(members: members)))
                    if replaysCache { session.value.replayCache(connection, hub: hub, channel: channel) }
                case .full:
                    connection.subscriptions[channel] = nil
                    connection.forgetMembers(channel: channel)
                    hub.unsubscribe(connection, channel: channel, presenceUserID: userID)
                    session.value.refuseSubscription(
                        connection, channel: channel, type: "LimitReached", status: 403, limit: "maxPresenceMembers",
                        "Presence channel \(channel) already has \(maxMembers ?? 0) members")
                }
            }
        }
    }

    /// A cache channel's last event, or `pusher:cache_miss`. A node with no copy of its own (one
    /// started after the event) asks the cluster first.
    private func replayCache(_ connection: Connection, hub: AppHub, channel: String) {
        let ttl = UInt64(context.options.cacheTTL) * 1_000_000_000
        if let (entry, _) = hub.cached(channel: channel, ttl: ttl, now: Now.nanoseconds) {
            connection.send(ServerMessage.channelEvent(event: entry.event, channel: channel, data: entry.data))
            return
        }
        guard let cluster = context.cluster else {
            connection.send(ServerMessage.cacheMiss(channel: channel))
            hub.raise(.cacheMiss) { [WebhookEvent(.cacheMiss, channel: channel, timeMs: $0)] }
            return
        }
        let maxEntries = context.options.maxCacheEntriesPerApp
        cluster.cachedEvent(appID: hub.appID, channel: channel) { stored in
            connection.onLoop { connection in
                guard !connection.isClosed, connection.subscriptions[channel] != nil else { return }
                if let (local, _) = hub.cached(channel: channel, ttl: ttl, now: Now.nanoseconds) {
                    // An event that arrived live meanwhile reached the socket. One that another
                    // subscriber's replay fetched did not: it is the cluster's, as this answer is.
                    if local.fetched {
                        connection.send(
                            ServerMessage.channelEvent(event: local.event, channel: channel, data: local.data))
                    }
                    return
                }
                if let (stored, remainingMs) = stored {
                    hub.keepFetchedCache(
                        channel: channel, event: stored.event, data: stored.data,
                        remaining: UInt64(max(remainingMs, 0)) * 1_000_000, now: Now.nanoseconds, ttl: ttl,
                        maxEntries: maxEntries)
                    connection.send(
                        ServerMessage.channelEvent(event: stored.event, channel: channel, data: stored.data))
                    return
                }
                connection.send(ServerMessage.cacheMiss(channel: channel))
                guard let webhooks = hub.webhooks, webhooks.wants(.cacheMiss, appID: hub.appID) else { return }
                let appID = hub.appID
                cluster.claimCacheMiss(appID: appID, channel: channel) { claimed in
                    guard claimed else { return }
                    webhooks.decided(
                        appID: appID, [WebhookEvent(.cacheMiss, channel: channel, timeMs: WebhookEvent.nowMs)])
                }
            }
        }
    }

    private func signin(_ connection: Connection, app: App, auth: String?, userData: String?) {
        let message = Signature.signinMessage(socketID: connection.socketID, userData: userData ?? "")
        if case .failure(let refusal) = Signature.verifyToken(
            auth, appKey: app.key, secrets: app.verificationSecrets(now: Now.unixSeconds), message: message)
        {
            connection.send(
                ServerMessage.error(code: CloseCode.unauthorized.rawValue, message: "Sign-in refused: \(refusal)"))
            return
        }
        let user: SigninUser
        switch SigninUser.parse(userData: userData) {
        case .success(let u): user = u
        case .failure(let invalid):
            connection.send(
                ServerMessage.error(
                    code: CloseCode.unauthorized.rawValue, message: "Sign-in refused: \(invalid.message)"))
            return
        }
        if let current = connection.signedIn {
            guard current.id == user.id else {
                connection.send(
                    ServerMessage.error(
                        code: CloseCode.unauthorized.rawValue,
                        message: "Sign-in refused: this connection is already signed in as \(current.id)"))
                return
            }
            connection.send(ServerMessage.signinSuccess(userData: userData ?? ""))
            return
        }
        connection.signedIn = user
        connection.isAuthorized = true
        // Recorded before it is confirmed: once a client has signin_success, its user is online
        // for every watcher and for server-to-user messages.
        let status = context.hubs.hub(for: app.id).signin(connection, as: user)
        connection.send(ServerMessage.signinSuccess(userData: userData ?? ""))
        if !user.watchlist.isEmpty {
            connection.send(ServerMessage.watchlistEvents(online: status.online, offline: status.offline))
        }
        if user.watchlistTruncated {
            connection.send(
                ServerMessage.error(
                    code: CloseCode.watchlistLimit.rawValue, message: CloseCode.watchlistLimit.defaultMessage))
        }
    }

    private func clientEvent(_ connection: Connection, app: App, name: String, channel: String, data: JSONValue) {
        /// Refuses the event with `pusher:error` 4301, or with `disconnect` closes with 4301.
        func reject(_ message: String, limit: String? = nil, disconnect: Bool = false) {
            if let (suppressed, _) = throttles.clientEventRejections.shouldLog(now: Now.nanoseconds) {
                logger.info(
                    "client event rejected",
                    metadata: LogFields.app(id: app.id, name: app.name).merging([
                        "socket_id": "\(connection.socketID)", "channel": "\(channel)",
                        "event": "\(name)", "reason": "\(message)", "suppressed": LogFields.number(suppressed),
                    ]))
            }
            connection.counters.rejected(limit.map { "limit " + $0 } ?? "client event")
            if disconnect {
                connection.close(CloseReason(.clientEventRejected, message))
            } else {
                connection.send(ServerMessage.error(code: CloseCode.clientEventRejected.rawValue, message: message))
            }
        }
        guard app.clientEvents else { return reject("Client events are not enabled for this app") }
        guard case .success(let kind) = ChannelName.classify(channel), kind.allowsClientEvents else {
            return reject("Client events are only allowed on private and presence channels")
        }
        guard let presenceUser = connection.subscriptions[channel] else {
            return reject("Client event on \(channel) refused: not subscribed to it")
        }
        guard name.utf8.count <= Self.maxEventNameLength else {
            return reject("Event name longer than \(Self.maxEventNameLength) characters")
        }
        let payload = ServerMessage.clientEvent(event: name, channel: channel, data: data, userID: presenceUser)
        let dataSize = data.serialized.utf8.count
        if let limit = app.limits.maxMessageBytes, dataSize > limit {
            return reject("Client event data is \(dataSize) bytes; the limit is \(limit)", limit: "maxMessageBytes")
        }
        if let rate = app.limits.clientEventsPerSecond {
            let now = Now.nanoseconds
            if let bucket = connection.clientEventBucket {
                if bucket.ratePerSecond != rate {
                    connection.clientEventBucket = bucket.resized(ratePerSecond: rate, now: now)
                }
            } else {
                connection.clientEventBucket = TokenBucket(ratePerSecond: rate, now: now)
            }
            guard connection.clientEventBucket!.take(now: now) else {
                return reject(
                    "Client event rate limit of \(rate) per second exceeded", limit: "clientEventsPerSecond",
                    disconnect: app.limits.disconnectOnAbuse)
            }
        }
        connection.counters.messagesReceived.wrappingIncrement(ordering: .relaxed)
        let hub = context.hubs.hub(for: app.id)
        context.cluster?.broadcast(
            .channel(
                appID: app.id, channel: channel, except: connection.socketID, frame: Array(payload.utf8), cache: nil))
        let recipients = hub.publish(channel: channel, except: connection.socketID, receipt: fanOutReceipt) {
            AppHub.payload(payload)
        }
        hub.raise(.clientEvent) {
            let text: String
            if case .string(let string) = data { text = string } else { text = data.serialized }
            return [
                WebhookEvent(
                    .clientEvent, channel: channel, event: name, data: text, socketID: connection.socketID,
                    userID: presenceUser, timeMs: $0)
            ]
        }
        logger.debug(
            "client event",
            metadata: LogFields.app(id: app.id, name: app.name).merging([
                "socket_id": "\(connection.socketID)", "channel": "\(channel)", "event": "\(name)",
                "recipients": LogFields.number(max(recipients - 1, 0)),
            ]))
    }

    /// This connection's log throttles, made on first use.
    var throttles: LogThrottles {
        if let logThrottles { return logThrottles }
        let made = LogThrottles()
        logThrottles = made
        return made
    }
}
