/// Host, port and whether to speak TLS, read from `--url`: `http://` and `ws://` are plain,
/// `https://` and `wss://` are TLS (port 443 unless given).
public struct ServerAddress: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var tls: Bool

    public init(host: String, port: Int, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// The `Host` header value.
    public var hostHeader: String { "\(host):\(port)" }

    /// Reads `http://host[:port][/]` (or `ws://`, `https://`, `wss://`); anything else is a
    /// usage error.
    public static func parse(_ url: String) -> Result<ServerAddress, BenchOptionsError> {
        var rest = Substring(url)
        var tls = false
        if let scheme = ["http://", "ws://", "https://", "wss://"].first(where: { rest.hasPrefix($0) }) {
            rest = rest.dropFirst(scheme.count)
            tls = scheme.hasPrefix("https") || scheme.hasPrefix("wss")
        } else {
            return .failure(.badURL(url, reason: "expected http://host:port or https://host:port"))
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...] == "/" else { return .failure(.badURL(url, reason: "a path is not supported")) }
            rest = rest[..<slash]
        }
        var host = rest
        var port = tls ? 443 : 80
        if let colon = rest.lastIndex(of: ":") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                return .failure(.badURL(url, reason: "bad port"))
            }
            host = rest[..<colon]
            port = p
        }
        guard !host.isEmpty else { return .failure(.badURL(url, reason: "no host")) }
        return .success(ServerAddress(host: String(host), port: port, tls: tls))
    }
}
