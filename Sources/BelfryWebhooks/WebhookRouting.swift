import BelfryManifest
import BelfryServer
import BelfryStore

/// Which endpoint gets which event: pure, so the fan-out rules test without I/O.
///
/// Each endpoint of the app whose `events` names the event and whose filter admits its channel
/// gets its own copy; an endpoint's batches hold only its own matching events (never the
/// unfiltered set, Soketi's bug 2 in `pusher.md` §3.3) and never another app's.
public enum WebhookRouting {
    /// The app's endpoints with their identities: the slot tells apart endpoints of one app
    /// that share a url (0 for the first, 1 for the second, …).
    public static func endpoints(of app: App) -> [(ref: WebhookEndpointRef, webhook: App.Webhook)] {
        var seen: [String: Int] = [:]
        return app.webhooks.map { webhook in
            let slot = seen[webhook.url, default: 0]
            seen[webhook.url] = slot + 1
            return (WebhookEndpointRef(app: app.name, url: webhook.url, slot: slot), webhook)
        }
    }

    /// The outbox rows for `events` of `app`, in event order, one per event and endpoint.
    public static func route(_ events: [WebhookEvent], app: App) -> [WebhookOutboxRow] {
        let endpoints = endpoints(of: app).map { (ref: $0.ref, webhook: $0.webhook, events: Set($0.webhook.events)) }
        guard !endpoints.isEmpty else { return [] }
        var rows: [WebhookOutboxRow] = []
        for event in events {
            var payload: String?
            for endpoint in endpoints
            where endpoint.events.contains(event.name.rawValue)
                && endpoint.webhook.filter.admits(channel: event.channel)
            {
                let text = payload ?? event.json.serialized
                payload = text
                rows.append(
                    WebhookOutboxRow(
                        app: app.name, url: endpoint.ref.url, slot: endpoint.ref.slot, name: event.name.rawValue,
                        payload: text, createdAtMs: event.timeMs))
            }
        }
        return rows
    }
}
