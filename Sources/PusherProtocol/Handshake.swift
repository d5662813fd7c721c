import BelfryJSON

/// Checks of a WebSocket handshake that need no app lookup: the path and the protocol version.
public enum Handshake {
    /// Protocol versions accepted (pusher-js sends 7; older clients such as pysher send 6).
    public static let supportedProtocols = 5...7

    /// What a handshake's URI says, read once per connection: the app key (or why there is
    /// none) and the query's `protocol`, `client` and `version` (for the log line).
    public struct Request: Sendable {
        public var appKey: Result<String, CloseReason>
        public var protocolVersion: String
        public var client: String
        public var clientVersion: String
    }

    public static func read(uri: String) -> Request {
        let (path, query) = split(uri)
        let params = QueryString.parse(query)
        func param(_ name: String) -> String? { params.first { $0.0 == name }?.1 }
        return Request(
            appKey: appKey(path: path, protocolVersion: param("protocol")), protocolVersion: param("protocol") ?? "",
            client: param("client") ?? "", clientVersion: param("version") ?? "")
    }

    /// Returns the app key from `/app/{key}?protocol=N…`, or the close reason.
    public static func appKey(uri: String) -> Result<String, CloseReason> {
        read(uri: uri).appKey
    }

    private static func appKey(path: Substring, protocolVersion: String?) -> Result<String, CloseReason> {
        // Bytes, not Characters: this runs on every connect.
        let prefix = "/app/".utf8
        let slash = UInt8(ascii: "/")
        guard path.utf8.starts(with: prefix) else {
            return .failure(CloseReason(.pathNotFound, "Path not found: expected /app/{key}"))
        }
        let key = path[path.utf8.index(path.startIndex, offsetBy: prefix.count)...]
        guard !key.isEmpty, !key.utf8.contains(slash) else {
            return .failure(CloseReason(.pathNotFound, "Path not found: expected /app/{key}"))
        }
        guard let version = protocolVersion else {
            return .failure(CloseReason(.noProtocolVersion))
        }
        guard let number = Int(version), supportedProtocols.contains(number) else {
            return .failure(
                CloseReason(
                    .unsupportedProtocolVersion,
                    "Unsupported protocol version \(JSONText.quoted(version)); supported: \(supportedProtocols.lowerBound)–\(supportedProtocols.upperBound)"
                ))
        }
        return .success(QueryString.decode(key))
    }

    /// Path and query of a request URI.
    public static func split(_ uri: String) -> (Substring, Substring) {
        if let q = uri.utf8.firstIndex(of: UInt8(ascii: "?")) {
            return (uri[..<q], uri[uri.utf8.index(after: q)...])
        }
        return (uri[...], "")
    }
}
