import BelfryManifest
import PusherProtocol

/// Who may use the admin port, as pure decisions over a request's method, path and headers.
///
/// - Open: `/healthz`, `/readyz`, the login page and the page assets; `/metrics` too
///   (Prometheus convention) unless a metrics token is set.
/// - `/internal/v1/…` (the reconciler's API) needs the admin token.
/// - `/api/v1/…` needs the admin token, an API token of a User of the applied configuration
///   (`spec.apiTokens`, matched by SHA-256 in constant time) or a status page session; without
///   any, 401.
/// - Every other path is a status page: it needs a session (or the admin token; never an API
///   token); without one, a redirect to the login page.
/// - `Host` must be an IP literal or a name in `allowedHosts` (`localhost` always): a page on
///   another site that rebinds its own name to 127.0.0.1 sends its own name and is refused.
/// - A request that changes state and comes from another site (`Sec-Fetch-Site`, or an `Origin`
///   other than the `Host`) is refused whatever it carries.
///
/// Sessions are checked by the caller (`AdminSessions`) when the decision says so: they depend
/// on the applied users and the logout list, which this pure type does not hold. API tokens are
/// passed in with each check (the applied users'), so a token removed from git stops working
/// as soon as the configuration without it applies.
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
        /// `/internal/v1/…` without the admin token (sessions and API tokens do not open it).
        case adminTokenRequired
        /// A page asked for without a session: 303 to the login page, which returns to `next`.
        case signIn(next: String)

        public var status: Int {
            switch self {
            case .badHost: 421
            case .crossSite: 403
            case .unauthorized, .adminTokenRequired: 401
            case .signIn: 303
            }
        }

        public var message: String {
            switch self {
            case .badHost(let host):
                "Host \(host) is not an address of this admin port; add it with --admin-allowed-hosts"
            case .crossSite: "Cross-site requests may not change state"
            case .unauthorized:
                "Sign in to the status page, or send Authorization: Bearer <token> with a User's API token "
                    + "(belfry token new) or the admin token"
            case .adminTokenRequired: "Send Authorization: Bearer <admin token> (DATA_DIR/admin-token)"
            case .signIn: "Sign in to see this page"
            }
        }

        /// Where a `signIn` refusal sends the browser: `/login?next=<path>`.
        public var location: String? {
            guard case .signIn(let next) = self else { return nil }
            return next == "/" ? "/login" : "/login?next=" + AdminAccess.percentEncoded(next)
        }
    }

    /// What a request may do.
    public enum Decision: Equatable, Sendable {
        /// Go on as `caller`: nil for open routes, else who the token presented belongs to.
        case allow(as: Caller?)
        /// Go on only with a valid session, else answer `otherwise`.
        case needsSession(otherwise: Refusal)
        case refuse(Refusal)
    }

    /// The decision for one request. `header` looks a header up by lower-case name; `target` is
    /// the path with its query (where a login returns to); `users` are the applied configuration's,
    /// whose `apiTokens` open `/api/v1/…`.
    public func check(
        method: String, path: String, target: String? = nil, users: [User] = [], header: (String) -> String?
    ) -> Decision {
        let host = header("host") ?? ""
        guard Self.hostIsAllowed(host, allowed: allowedHosts) else { return .refuse(.badHost(host)) }
        let safe = method == "GET" || method == "HEAD" || method == "OPTIONS"
        if !safe, Self.isCrossSite(host: host, header: header) { return .refuse(.crossSite) }
        let authorization = header("authorization")
        if path == "/healthz" || path == "/readyz" || path == "/login" || path.hasPrefix("/assets/") {
            return .allow(as: nil)
        }
        if path == "/metrics" {
            guard let metricsToken else { return .allow(as: nil) }
            if bearer(authorization, matchesAnyOf: [adminToken]) { return .allow(as: .adminToken) }
            if bearer(authorization, matchesAnyOf: [metricsToken]) { return .allow(as: .metricsToken) }
            return .needsSession(otherwise: .unauthorized)
        }
        if bearer(authorization, matchesAnyOf: [adminToken]) { return .allow(as: .adminToken) }
        if path.hasPrefix("/internal/") { return .refuse(.adminTokenRequired) }
        if path.hasPrefix("/api/v1/"), let owner = Self.apiTokenOwner(authorization, users: users) {
            return .allow(as: .apiToken(user: owner.user, token: owner.token))
        }
        if path == "/logout" { return .needsSession(otherwise: .signIn(next: "/")) }
        if path.hasPrefix("/api/") || !safe || authorization != nil { return .needsSession(otherwise: .unauthorized) }
        return .needsSession(otherwise: .signIn(next: target ?? path))
    }

    /// `next` for the login page's query: everything but unreserved characters and `/` encoded.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isASCII, c.isLetter || c.isNumber || "-._~/".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    private func bearer(_ authorization: String?, matchesAnyOf tokens: [String]) -> Bool {
        guard let presented = Self.bearerToken(authorization) else { return false }
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

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
