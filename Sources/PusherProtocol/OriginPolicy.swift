/// The `allowedOrigins` rule, checked against the `Origin` header of a WebSocket handshake.
///
/// An entry is one of:
/// - `*`: any origin, and no `Origin` header at all;
/// - a host pattern, `example.com` or `*.example.com` (subdomains only): the origin's host, with
///   any scheme and any port;
/// - an origin, `scheme://host[:port]` (`https://shop.example.com`, `http://localhost:8080`):
///   scheme, host and port exactly. An origin written without a port means the scheme's default
///   port (443 for https, 80 for http), so `https://shop.example.com` admits neither
///   `http://shop.example.com` nor `https://shop.example.com:8443`.
///
/// Scheme and host compare case-insensitively, as browsers serialize them in lower case anyway.
public enum OriginPolicy {
    /// Ports a browser leaves out of an origin because they are the scheme's default.
    static let defaultPorts: [String: Int] = ["http": 80, "https": 443, "ws": 80, "wss": 443]

    /// Whether `origin` (the header, `nil` when absent) may connect to an app with `patterns`.
    /// `patterns` empty or containing `*` allow everything; otherwise a missing or unparsable
    /// origin (including the opaque `null`) is refused.
    public static func allows(origin: String?, patterns: [String]) -> Bool {
        if patterns.isEmpty || patterns.contains("*") { return true }
        guard let origin, let parsed = Origin(origin) else { return false }
        return patterns.contains { matches(parsed, entry: $0) }
    }

    /// One entry against a parsed origin.
    static func matches(_ origin: Origin, entry: String) -> Bool {
        if entry.contains("://") {
            return Origin(entry).map { $0 == origin } ?? false
        }
        let host = entry.lowercased()
        if host.hasPrefix("*.") { return origin.host.hasSuffix(String(host.dropFirst(1))) }
        return origin.host == host
    }

    /// An origin as compared: lower-cased scheme and host, and the port made explicit when the
    /// scheme has a default (`nil` only for a scheme without one and no port given).
    struct Origin: Equatable {
        var scheme: String
        var host: String
        var port: Int?

        /// Parses `scheme://host[:port]`; a path after the authority is ignored (browsers send none).
        /// `nil` for anything else, such as the opaque origin `null` or a port out of range.
        init?(_ text: String) {
            let lower = text.lowercased()
            guard let separator = lower.firstRange(of: "://") else { return nil }
            scheme = String(lower[..<separator.lowerBound])
            var authority = lower[separator.upperBound...]
            if let slash = authority.firstIndex(of: "/") { authority = authority[..<slash] }
            var portText: Substring?
            if authority.hasPrefix("[") {  // an IPv6 literal: [::1]:8080
                guard let close = authority.firstIndex(of: "]") else { return nil }
                let rest = authority[authority.index(after: close)...]
                host = String(authority[...close])
                if !rest.isEmpty {
                    guard rest.hasPrefix(":") else { return nil }
                    portText = rest.dropFirst()
                }
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                portText = authority[authority.index(after: colon)...]
            } else {
                host = String(authority)
            }
            guard !scheme.isEmpty, !host.isEmpty else { return nil }
            if let portText {
                guard portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                    let number = Int(portText), (1...65535).contains(number)
                else {
                    return nil
                }
                port = number
            } else {
                port = Self.defaultPort(scheme)
            }
        }

        private static func defaultPort(_ scheme: String) -> Int? { OriginPolicy.defaultPorts[scheme] }
    }
}
