import BelfryManifest
import Foundation
import PusherProtocol

/// The Pusher HTTP API: route, authenticate (request signing), then act on the app's hub.
struct PusherAPI {
    let context: ServerContext

    enum Route {
        case events
        case batchEvents
        case channels
        case channel(String)
        case users(String)
        case terminate(String)
    }

    /// Handles `/apps/{app_id}/…`; the counters are the app's (nil when there is no such app), which
    /// the caller charges with the exchange's bytes.
    /// - Parameter owed: where a publish notes the other loops its fan-out was queued on, for the
    ///   caller to wait for (`HTTPConnection` reads no further request until they have run it). Nil:
    ///   the answer itself waits for them.
    func handle(_ request: HTTPRequest, owed: FanOut.Receipt? = nil) -> (answer: HTTPAnswer, counters: AppCounters?) {
        let segments = Self.segments(afterApps: request.path)
        guard let appID = segments.first, !appID.isEmpty else { return (.now(error(.notFound("Missing app id"))), nil) }
        let rest = segments.dropFirst()
        let route: Route
        let part = { (index: Int) in rest[rest.startIndex + index] }
        switch (request.method, rest.count) {
        case ("POST", 1) where part(0) == "events": route = .events
        case ("POST", 1) where part(0) == "batch_events": route = .batchEvents
        case ("GET", 1) where part(0) == "channels": route = .channels
        case ("GET", 2) where part(0) == "channels": route = .channel(part(1))
        case ("GET", 3) where part(0) == "channels" && part(2) == "users": route = .users(part(1))
        case ("POST", 3) where part(0) == "users" && part(2) == "terminate_connections": route = .terminate(part(1))
        default:
            let counters = context.store.app(id: appID).map { context.hubs.hub(for: $0.id).counters }
            return (.now(error(.notFound("No route for \(request.method) \(request.path)"))), counters)
        }
        guard let app = context.store.app(id: appID) else {
            return (.now(error(.notFound("Unknown app id \(appID)"))), nil)
        }
        let now = Int(Date().timeIntervalSince1970)
        let hub = context.hubs.hub(for: app.id)
        var verified = RequestSignature.verify(
            method: request.method, path: request.path, query: request.query, body: request.body,
            appKey: app.key, key: hub.signingKey(for: app.secret), now: now)
        if case .failure = verified, !app.retiringSecrets.isEmpty {
            // A rotation's grace period: the former secret still signs.
            verified = RequestSignature.verify(
                method: request.method, path: request.path, query: request.query, body: request.body,
                appKey: app.key, secrets: app.verificationSecrets(now: Int64(now)), now: now)
        }
        if case .failure(let e) = verified {
            context.logger.info(
                "http api request refused",
                metadata: LogFields.app(id: app.id, name: app.name).merging([
                    "code": LogFields.number(401), "reason": "\(e.message)",
                ]))
            let endpoint = request.path.split(separator: "/").dropFirst(2).first ?? ""
            hub.counters.apiRequest("\(request.method) \(endpoint) 401")
            return (.now(error(e)), hub.counters)
        }
        guard app.enabled else { return (.now(error(.appDisabled(app.id))), hub.counters) }
        var answer: HTTPAnswer
        let name = Self.name(of: route)
        let receipt = owed ?? FanOut.Receipt()
        if let refusal = spendRequestBudget(route, app: app, hub: hub) {
            answer = .now(refusal)
        } else {
            switch respond(route, request, app: app, hub: hub, receipt: receipt) {
            case .done(let response): answer = .now(response)
            case .read(let query, let render):
                if let cluster = context.cluster {
                    answer = .later(Self.resolve(query, appID: app.id, cluster: cluster, render: render))
                } else {
                    answer = .now(render(Self.resolve(query, hub: hub)))
                }
            }
        }
        // A publish whose subscribers live on other loops is answered once those loops have
        // written it, unless the caller waits for them: the publisher goes at the subscribers'
        // pace (see `FanOut.settled`).
        if owed == nil, !receipt.loops.isEmpty { answer = answer.after(receipt.loops) }
        let account = { @Sendable [self] (response: HTTPResponse) -> HTTPResponse in
            // Concatenated rather than interpolated: a short key stays a small string, unallocated.
            hub.counters.apiRequest(request.method + " " + name + " " + String(response.status))
            if response.status >= 400 { logRejection(response, endpoint: name, app: app, hub: hub) }
            return response
        }
        switch answer {
        case .now(let response): return (.now(account(response)), hub.counters)
        case .later(let pending): return (.later(pending.map(account)), hub.counters)
        }
    }

    private func respond(
        _ route: Route, _ request: HTTPRequest, app: App, hub: AppHub, receipt: FanOut.Receipt
    ) -> APIStep {
        switch route {
        case .events: trigger(request, app: app, hub: hub, receipt: receipt)
        case .batchEvents: batch(request, app: app, hub: hub, receipt: receipt)
        case .channels: channels(request)
        case .channel(let channel): self.channel(channel, request: request, hub: hub)
        case .users(let channel): users(channel)
        case .terminate(let userID): .done(terminate(userID, hub: hub))
        }
    }

    /// The percent-decoded path segments after `/apps/`: `[appID, "events"]` and so on.
    static func segments(afterApps path: String) -> [String] {
        var segments: [String] = []
        segments.reserveCapacity(4)
        var rest = path.utf8.dropFirst("/apps/".utf8.count)
        while let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            segments.append(QueryString.decodePath(Substring(rest[..<slash])))
            rest = rest[rest.index(after: slash)...]
        }
        segments.append(QueryString.decodePath(Substring(rest)))
        return segments
    }

    func error(_ e: APIError) -> HTTPResponse {
        var response = HTTPResponse.json(e.body, status: e.status)
        if e.status == 429 { response.headers.append(("Retry-After", "1")) }
        return response
    }

    func param(_ request: HTTPRequest, _ name: String) -> String? {
        request.query.first { $0.0 == name }?.1
    }
}
