import BelfryJSON
import BelfryManifest
import PusherProtocol

/// `POST /events` and `POST /batch_events`.
extension PusherAPI {
    func trigger(_ request: HTTPRequest, app: App, hub: AppHub) -> HTTPResponse {
        switch TriggerRequest.event(body: request.body, maxDataBytes: maxDataBytes(app)) {
        case .failure(let e): return error(e)
        case .success(let event):
            if let refusal = spendBudget(app: app, hub: hub, cost: event.channels.count) { return refusal }
            publish(event, hub: hub)
            guard !event.info.isEmpty else { return .json("{}") }
            let entries = event.channels.map {
                "\(JSONText.quoted($0)):\(attributes(event.info, channel: $0, hub: hub))"
            }
            return .json("{\"channels\":{\(entries.joined(separator: ","))}}")
        }
    }

    func batch(_ request: HTTPRequest, app: App, hub: AppHub) -> HTTPResponse {
        switch TriggerRequest.batch(body: request.body, maxDataBytes: maxDataBytes(app)) {
        case .failure(let e): return error(e)
        case .success(let events):
            if let refusal = spendBudget(app: app, hub: hub, cost: events.count) { return refusal }
            for event in events { publish(event, hub: hub) }
            guard events.contains(where: { !$0.info.isEmpty }) else { return .json("{}") }
            let items = events.map { attributes($0.info, channel: $0.channels[0], hub: hub) }
            return .json("{\"batch\":[\(items.joined(separator: ","))]}")
        }
    }

    /// Encodes the event once per channel and fans it out; caches it on cache channels.
    private func publish(_ event: TriggerEvent, hub: AppHub) {
        let now = Now.nanoseconds
        for channel in event.channels {
            let payload = {
                AppHub.payload(ServerMessage.channelEvent(event: event.name, channel: channel, data: event.data))
            }
            guard case .success(let kind) = ChannelName.classify(channel) else { continue }
            if case .serverToUser(let userID) = kind.access {
                hub.publish(toUser: userID, payload: payload(), except: event.socketID)
                continue
            }
            if kind.isCache {
                hub.storeCache(
                    channel: channel, event: event.name, data: event.data, now: now,
                    ttl: UInt64(context.options.cacheTTL) * 1_000_000_000,
                    maxEntries: context.options.maxCacheEntriesPerApp)
            }
            let recipients = hub.publish(channel: channel, except: event.socketID, encode: payload)
            // Evaluated only at debug level: the hot path pays for one level check.
            context.logger.debug(
                "published",
                metadata: LogFields.app(id: hub.appID, name: context.store.app(id: hub.appID)?.name).merging([
                    "channel": "\(channel)", "event": "\(event.name)", "recipients": LogFields.number(recipients),
                ]))
        }
    }

    /// `{"user_count":…,"subscription_count":…}` for the requested attributes that apply.
    func attributes(_ info: [String], channel: String, hub: AppHub) -> String {
        let counts = hub.counts(channel: channel)
        let isPresence = (try? ChannelName.classify(channel).get())?.isPresence ?? false
        var fields: [String] = []
        if info.contains("user_count"), isPresence { fields.append("\"user_count\":\(counts?.userCount ?? 0)") }
        if info.contains("subscription_count") {
            fields.append("\"subscription_count\":\(counts?.subscriptionCount ?? 0)")
        }
        return "{\(fields.joined(separator: ","))}"
    }
}
