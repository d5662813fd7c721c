import BelfryManifest
import NIOCore
import PusherProtocol

/// The per-address limits of a WebSocket handshake, checked before the upgrade so a refused
/// client costs one small HTTP response and no session.
extension ServerContext {
    enum AddressAdmission {
        /// Go on; the connection now counts in `addressKey`'s entry (nil: counted nowhere) until
        /// `releaseAddress`.
        case admitted(addressKey: String?)
        /// Answer with this 429 (with `Retry-After`).
        case refused(HTTPResponse)
    }

    /// A handshake for an unknown app passes uncounted: the session refuses it with 4001 after
    /// the upgrade, as hosted Pusher does.
    func admitAddress(_ handshake: Handshake.Request, address: String?) -> AddressAdmission {
        guard let key = try? handshake.appKey.get(), let address,
            let (appID, maxConnections, ratePerSecond) = store.withApp(
                key: key, { ($0.id, $0.limits.maxConnectionsPerAddress, $0.limits.connectionsPerSecondPerAddress) })
        else { return .admitted(addressKey: nil) }
        let tableKey = AddressLimiter.key(appID: appID, address: address)
        let decision = addresses.admit(
            tableKey, maxConnections: maxConnections, ratePerSecond: ratePerSecond, now: Now.nanoseconds)
        let reason: String
        let response: HTTPResponse
        switch decision {
        case .admitted:
            return .admitted(addressKey: tableKey)
        case .tooManyConnections(let limit):
            reason = "maxConnectionsPerAddress"
            response = RateLimitResponse.tooMany(
                "At most \(limit) connections from one address to app \(appID)", limit: limit, remaining: 0,
                retryAfter: 5)
        case .tooFast(let limit, let retryAfter):
            reason = "connectionsPerSecondPerAddress"
            response = RateLimitResponse.tooMany(
                "At most \(limit) connections per second from one address to app \(appID)", limit: limit,
                remaining: 0, retryAfter: retryAfter)
        }
        let hub = hubs.hub(for: appID)
        hub.counters.rejected("limit " + reason)
        if let suppressed = hub.limitLog(reason, now: Now.nanoseconds) {
            logger.info(
                "connection refused",
                metadata: LogFields.app(id: appID, name: store.withApp(id: appID) { $0.name }).merging([
                    "code": LogFields.number(429), "limit": "\(reason)", "remote": "\(address)",
                    "suppressed": LogFields.number(suppressed),
                ]))
        }
        return .refused(response)
    }

    /// Takes a closed connection out of its address's count (see `ConnectionLeases`).
    func releaseAddress(key: String) {
        addresses.release(key, now: Now.nanoseconds)
    }
}

/// The 429 of a rate or count limit: `Retry-After`, `X-RateLimit-Limit`, `X-RateLimit-Remaining`.
enum RateLimitResponse {
    static func tooMany(_ message: String, limit: Int, remaining: Int, retryAfter: Int) -> HTTPResponse {
        var response = HTTPResponse.json(APIError(429, message).body, status: 429)
        response.headers = [
            ("Retry-After", String(max(retryAfter, 1))), ("X-RateLimit-Limit", String(limit)),
            ("X-RateLimit-Remaining", String(max(remaining, 0))),
        ]
        return response
    }
}
