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
