import BelfryJSON
import BelfryManifest
import NIOCore
import PusherProtocol

/// `POST /events` and `POST /batch_events`.
extension PusherAPI {
    func trigger(_ request: HTTPRequest, app: App, hub: AppHub, receipt: FanOut.Receipt) -> APIStep {
        switch TriggerRequest.event(body: request.body, maxDataBytes: maxDataBytes(app)) {
        case .failure(let e): return .done(error(e))
        case .success(let event):
            if let refusal = spendBudget(app: app, hub: hub, cost: event.channels.count) { return .done(refusal) }
            publish(event, hub: hub, receipt: receipt)
            guard !event.info.isEmpty else { return .done(.json("{}")) }
            return .read(.counts(event.channels)) { result in
                let entries = event.channels.map {
                    "\(JSONText.quoted($0)):\(Self.attributes(event.info, channel: $0, counts: result.counts[$0]))"
                }
                return .json("{\"channels\":{\(entries.joined(separator: ","))}}")
            }
        }
    }

    func batch(_ request: HTTPRequest, app: App, hub: AppHub, receipt: FanOut.Receipt) -> APIStep {
        switch TriggerRequest.batch(body: request.body, maxDataBytes: maxDataBytes(app)) {
        case .failure(let e): return .done(error(e))
        case .success(let events):
            if let refusal = spendBudget(app: app, hub: hub, cost: events.count) { return .done(refusal) }
            for event in events { publish(event, hub: hub, receipt: receipt) }
            guard events.contains(where: { !$0.info.isEmpty }) else { return .done(.json("{}")) }
            return .read(.counts(events.map { $0.channels[0] })) { result in
                let items = events.map {
                    Self.attributes($0.info, channel: $0.channels[0], counts: result.counts[$0.channels[0]])
                }
                return .json("{\"batch\":[\(items.joined(separator: ","))]}")
            }
        }
    }

    /// Encodes the event once per channel and fans it out (and, in a cluster, sends it to the
    /// other nodes); caches it on cache channels. `receipt` notes the other loops it went to.
    private func publish(_ event: TriggerEvent, hub: AppHub, receipt: FanOut.Receipt) {
        let now = Now.nanoseconds
        let cluster = context.cluster
        for channel in event.channels {
            let payload = {
                AppHub.payload(ServerMessage.channelEvent(event: event.name, channel: channel, data: event.data))
            }
            guard case .success(let kind) = ChannelName.classify(channel) else { continue }
            if case .serverToUser(let userID) = kind.access {
                let frame = payload()
                cluster?.broadcast(
                    .user(
                        appID: hub.appID, userID: userID, except: event.socketID,
                        frame: Array(frame.readableBytesView)))
                hub.publish(toUser: userID, payload: frame, except: event.socketID, receipt: receipt)
                continue
            }
            if kind.isCache {
                hub.storeCache(
                    channel: channel, event: event.name, data: event.data, now: now,
                    ttl: UInt64(context.options.cacheTTL) * 1_000_000_000,
                    maxEntries: context.options.maxCacheEntriesPerApp)
            }
            let recipients: Int
            if let cluster {
                // Encoded once for both. The other nodes first: their subscribers need not wait
                // for this node's own fan-out.
                let frame = payload()
                cluster.broadcast(
                    .channel(
                        appID: hub.appID, channel: channel, except: event.socketID,
                        frame: Array(frame.readableBytesView),
                        cache: kind.isCache ? ClusterCacheEntry(event: event.name, data: event.data) : nil))
                recipients = hub.publish(channel: channel, except: event.socketID, receipt: receipt) { frame }
            } else {
                recipients = hub.publish(channel: channel, except: event.socketID, receipt: receipt, encode: payload)
            }
            // Evaluated only at debug level: the hot path pays for one level check.
            context.logger.debug(
                "published",
                metadata: LogFields.app(id: hub.appID, name: context.store.app(id: hub.appID)?.name).merging([
                    "channel": "\(channel)", "event": "\(event.name)", "recipients": LogFields.number(recipients),
                ]))
        }
    }

    /// `{"user_count":…,"subscription_count":…}` for the requested attributes that apply.
    static func attributes(_ info: [String], channel: String, counts: ClusterChannelCounts?) -> String {
        let isPresence = (try? ChannelName.classify(channel).get())?.isPresence ?? false
        var fields: [String] = []
        if info.contains("user_count"), isPresence { fields.append("\"user_count\":\(counts?.userCount ?? 0)") }
        if info.contains("subscription_count") {
            fields.append("\"subscription_count\":\(counts?.subscriptionCount ?? 0)")
        }
        return "{\(fields.joined(separator: ","))}"
    }
}
