import PusherProtocol

/// Who may use the admin port, as pure decisions over a request's method, path and headers.
///
/// - Only `/healthz`, `/readyz` and `/metrics` are open (Prometheus convention); `/metrics`
///   closes too when a metrics token is set. Everything else needs the admin token (the status
///   page adds sessions later).
/// - `Host` must be an IP literal or a name in `allowedHosts` (`localhost` always): a page on
///   another site that rebinds its own name to 127.0.0.1 sends its own name and is refused.
/// - A request that changes state and comes from another site (`Sec-Fetch-Site`, or an `Origin`
///   other than the `Host`) is refused whatever it carries.
public struct AdminAccess: Sendable {
    /// Host names (lower case, no port) accepted in `Host` besides IP literals and `localhost`.
    public var allowedHosts: Set<String>
    /// The bearer token of every route that is not open.
    public var adminToken: String
    /// When set, `/metrics` needs `Authorization: Bearer <metricsToken>` (or the admin token).
    public var metricsToken: String?

    public init(allowedHosts: Set<String>, adminToken: String, metricsToken: String?) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.adminToken = adminToken
        self.metricsToken = metricsToken
    }

    /// Why a request is refused, with the status to answer.
    public enum Refusal: Equatable, Sendable {
        case badHost(String)
        case crossSite
        case unauthorized

        public var status: Int {
            switch self {
            case .badHost: 421
            case .crossSite: 403
            case .unauthorized: 401
            }
        }

        public var message: String {
            switch self {
            case .badHost(let host):
                "Host \(host) is not an address of this admin port; add it with --admin-allowed-hosts"
            case .crossSite: "Cross-site requests may not change state"
            case .unauthorized: "Missing or wrong bearer token"
            }
        }
    }

    /// Nil when the request may proceed. `header` looks a header up by lower-case name.
    public func check(method: String, path: String, header: (String) -> String?) -> Refusal? {
        let host = header("host") ?? ""
        guard Self.hostIsAllowed(host, allowed: allowedHosts) else { return .badHost(host) }
        let safe = method == "GET" || method == "HEAD" || method == "OPTIONS"
        if !safe, Self.isCrossSite(host: host, header: header) { return .crossSite }
        switch path {
        case "/healthz", "/readyz":
            return nil
        case "/metrics":
            guard let metricsToken else { return nil }
            return bearer(header("authorization"), matchesAnyOf: [metricsToken, adminToken]) ? nil : .unauthorized
        default:
            return bearer(header("authorization"), matchesAnyOf: [adminToken]) ? nil : .unauthorized
        }
    }

    private func bearer(_ authorization: String?, matchesAnyOf tokens: [String]) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        let presented = String(authorization.dropFirst(7))
        var matched = false
        for token in tokens where !token.isEmpty {
            matched = Signature.constantTimeEquals(presented, token) || matched
        }
        return matched
    }

    /// `Host` without its port: IP literals (v4, `[v6]`) and `localhost` always pass, names only
    /// when listed. HTTP/1.1 requires the header; a request without it is refused.
    static func hostIsAllowed(_ host: String, allowed: Set<String>) -> Bool {
        let name = hostName(host).lowercased()
        guard !name.isEmpty else { return false }
        if name == "localhost" || allowed.contains(name) { return true }
        if name.hasPrefix("[") { return name.hasSuffix("]") }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The host part of a `Host` or origin authority: `[::1]:9601` → `[::1]`, `a:1` → `a`.
    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[...end])
        }
        return String(authority.split(separator: ":", maxSplits: 1).first ?? "")
    }

    /// A browser says where a request comes from: `Sec-Fetch-Site` (cross-site, same-site) or an
    /// `Origin` whose authority is not the `Host`. Non-browser clients send neither.
    static func isCrossSite(host: String, header: (String) -> String?) -> Bool {
        if let site = header("sec-fetch-site")?.lowercased(), site == "cross-site" || site == "same-site" {
            return true
        }
        guard let origin = header("origin") else { return false }
        if origin == "null" { return true }
        guard let scheme = origin.range(of: "://") else { return true }
        return origin[scheme.upperBound...].lowercased() != host.lowercased()
    }
}
