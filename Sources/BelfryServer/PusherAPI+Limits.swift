import BelfryManifest
import PusherProtocol

/// `apiRequestsPerSecond`, `backendEventsPerSecond` and `maxMessageBytes` on the HTTP API: each
/// refusal counted per app and reason, and logged at most once a second per app and limit.
extension PusherAPI {
    static func name(of route: Route) -> String {
        switch route {
        case .events: "events"
        case .batchEvents: "batch_events"
        case .channels: "channels"
        case .channel: "channel"
        case .users: "users"
        case .terminate: "terminate_connections"
        }
    }

    /// 429 when a request other than a publish finds the app's `apiRequestsPerSecond` spent.
    func spendRequestBudget(_ route: Route, app: App, hub: AppHub) -> HTTPResponse? {
        switch route {
        case .events, .batchEvents: return nil
        default: break
        }
        guard let rate = app.limits.apiRequestsPerSecond else { return nil }
        let check = hub.take(.apiRequests, rate: rate, now: Now.nanoseconds)
        guard !check.allowed else { return nil }
        return RateLimitResponse.tooMany(
            "Rate limit of \(rate) API requests per second exceeded for app \(app.id)", limit: rate,
            remaining: check.remaining, retryAfter: check.retryAfter)
    }

    /// 429 when the app's `backendEventsPerSecond` budget cannot pay for `cost` events.
    func spendBudget(app: App, hub: AppHub, cost: Int) -> HTTPResponse? {
        guard let rate = app.limits.backendEventsPerSecond else { return nil }
        let check = hub.take(.backendEvents, cost: cost, rate: rate, now: Now.nanoseconds)
        guard !check.allowed else { return nil }
        return RateLimitResponse.tooMany(
            "Rate limit of \(rate) events per second exceeded for app \(app.id)", limit: rate,
            remaining: check.remaining, retryAfter: check.retryAfter)
    }

    /// The largest event `data` the app accepts (`Int.max` when unlimited).
    func maxDataBytes(_ app: App) -> Int { app.limits.maxMessageBytes ?? Int.max }

    /// Counts a refusal by a limit under its name, and logs a rejected request; refusals by a
    /// limit at most once a second per app and limit, with how many were not logged.
    func logRejection(_ response: HTTPResponse, endpoint: String, app: App, hub: AppHub) {
        let limit: String? =
            switch (response.status, endpoint) {
            case (429, "events"), (429, "batch_events"): "backendEventsPerSecond"
            case (429, _): "apiRequestsPerSecond"
            case (413, _): "maxMessageBytes"
            default: nil
            }
        var fields = LogFields.app(id: app.id, name: app.name).merging([
            "endpoint": "\(endpoint)", "code": LogFields.number(response.status), "reason": "\(response.body)",
        ])
        if let limit {
            hub.counters.rejected("limit " + limit)
            guard let suppressed = hub.limitLog(limit, now: Now.nanoseconds) else { return }
            fields = fields.merging(["limit": "\(limit)", "suppressed": LogFields.number(suppressed)])
        }
        context.logger.info("http api request rejected", metadata: fields)
    }
}
