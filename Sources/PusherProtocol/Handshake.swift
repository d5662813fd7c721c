import BelfryJSON

/// Checks of a WebSocket handshake that need no app lookup: the path and the protocol version.
public enum Handshake {
    /// Protocol versions accepted (pusher-js sends 7; older clients such as pysher send 6).
    public static let supportedProtocols = 5...7

    /// Returns the app key from `/app/{key}?protocol=N…`, or the close reason.
    public static func appKey(uri: String) -> Result<String, CloseReason> {
        let (path, query) = split(uri)
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 3, segments[0].isEmpty, segments[1] == "app", !segments[2].isEmpty else {
            return .failure(CloseReason(.pathNotFound, "Path not found: expected /app/{key}"))
        }
        let params = QueryString.parse(query)
        guard let version = params.first(where: { $0.0 == "protocol" })?.1 else {
            return .failure(CloseReason(.noProtocolVersion))
        }
        guard let number = Int(version), supportedProtocols.contains(number) else {
            return .failure(
                CloseReason(
                    .unsupportedProtocolVersion,
                    "Unsupported protocol version \(JSONText.quoted(version)); supported: \(supportedProtocols.lowerBound)–\(supportedProtocols.upperBound)"
                ))
        }
        return .success(QueryString.decode(segments[2]))
    }

    /// Path and query of a request URI.
    public static func split(_ uri: String) -> (Substring, Substring) {
        if let q = uri.firstIndex(of: "?") {
            return (uri[..<q], uri[uri.index(after: q)...])
        }
        return (uri[...], "")
    }
}

/// The `allowedOrigins` rule: patterns match the host of the `Origin` header.
public enum OriginPolicy {
    /// `patterns` empty or containing `*` allow everything (including no Origin header).
    /// Otherwise the origin's host must equal a pattern or match a `*.domain` pattern; a pattern
    /// with a scheme (`https://example.com`) must match scheme and host.
    public static func allows(origin: String?, patterns: [String]) -> Bool {
        if patterns.isEmpty || patterns.contains("*") { return true }
        guard let origin, let (scheme, host) = parse(origin) else { return false }
        for pattern in patterns {
            var hostPattern = Substring(pattern.lowercased())
            if let range = hostPattern.firstRange(of: "://") {
                guard hostPattern[..<range.lowerBound] == scheme else { continue }
                hostPattern = hostPattern[range.upperBound...]
            }
            if hostPattern.hasPrefix("*.") {
                let suffix = hostPattern.dropFirst(1)
                if host.hasSuffix(suffix) { return true }
            } else if host == hostPattern {
                return true
            }
        }
        return false
    }

    /// Scheme and host (port dropped, lowercased) of an origin such as `https://app.example.com:8443`.
    static func parse(_ origin: String) -> (Substring, Substring)? {
        let lower = origin.lowercased()
        guard let range = lower.firstRange(of: "://") else { return nil }
        let scheme = lower[..<range.lowerBound]
        var host = lower[range.upperBound...]
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = host[..<colon] }
        return host.isEmpty ? nil : (scheme, host)
    }
}
