/// Host and port of the server under test, read from `--url`; plain HTTP only (like wsload, no TLS).
public struct ServerAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The `Host` header value.
    public var hostHeader: String { "\(host):\(port)" }

    /// Reads `http://host[:port][/]` (or `ws://`); anything else is a usage error.
    public static func parse(_ url: String) -> Result<ServerAddress, BenchOptionsError> {
        var rest = Substring(url)
        if rest.hasPrefix("http://") {
            rest = rest.dropFirst(7)
        } else if rest.hasPrefix("ws://") {
            rest = rest.dropFirst(5)
        } else {
            return .failure(.badURL(url, reason: "expected http://host:port (TLS is not supported)"))
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...] == "/" else { return .failure(.badURL(url, reason: "a path is not supported")) }
            rest = rest[..<slash]
        }
        var host = rest
        var port = 80
        if let colon = rest.lastIndex(of: ":") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                return .failure(.badURL(url, reason: "bad port"))
            }
            host = rest[..<colon]
            port = p
        }
        guard !host.isEmpty else { return .failure(.badURL(url, reason: "no host")) }
        return .success(ServerAddress(host: String(host), port: port))
    }
}
