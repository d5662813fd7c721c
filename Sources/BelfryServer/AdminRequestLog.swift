import Logging

/// What the admin port logs about its API requests: each change (POST, PUT, PATCH, DELETE on
/// `/api/` or `/internal/`) with who made it, and each refusal there. Never a token: a refusal
/// says only whether a bearer token was presented.
struct AdminRequestLog: Sendable {
    let logger: Logger

    /// Whether requests to `path` are the API's (pages and probes log nothing here).
    static func isAPI(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path.hasPrefix("/internal/")
    }

    static func changesState(_ method: String) -> Bool {
        ["POST", "PUT", "PATCH", "DELETE"].contains(method)
    }

    /// After a route answered: logged when the request was meant to change something.
    func handled(_ request: AdminServer.Request, status: Int) {
        guard Self.isAPI(request.path), Self.changesState(request.method) else { return }
        logger.info(
            "admin API request",
            metadata: [
                "method": "\(request.method)", "path": "\(request.path)", "status": "\(status)",
                "caller": "\(request.caller?.description ?? "none")", "address": "\(request.remoteAddress)",
            ])
    }

    /// A refusal before any route ran (bad host, cross-site, no valid credential); `credential`
    /// says what was presented (`Credential.of`), never its value.
    func refused(method: String, path: String, refusal: AdminAccess.Refusal, credential: String, address: String) {
        guard Self.isAPI(path) else { return }
        logger.warning(
            "admin API request refused",
            metadata: [
                "method": "\(method)", "path": "\(path)", "status": "\(refusal.status)",
                "reason": "\(refusal.message)", "credential": "\(credential)", "address": "\(address)",
            ])
    }

    /// What a refused request presented: `bearer token`, `session cookie`, both or `none`.
    static func credential(authorization: String?, cookie: String?) -> String {
        let parts = [
            authorization.map { $0.hasPrefix("Bearer ") ? "bearer token" : "other authorization" },
            // The status page's cookie name (StatusSessions.sessionCookie, in the executable).
            cookie.flatMap { $0.contains("belfry_session=") ? "session cookie" : nil },
        ].compactMap { $0 }
        return parts.isEmpty ? "none" : parts.joined(separator: " and ")
    }
}
