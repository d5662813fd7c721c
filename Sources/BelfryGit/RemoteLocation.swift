import Foundation

/// Where a remote URL points and how libgit2 will reach it, parsed the way git does: a URL with
/// `scheme://`, scp-like `[user@]host:path` (SSH), or anything else as a local path.
struct RemoteLocation: Sendable, Equatable {
    /// The transport libgit2 will pick for the URL.
    enum Transport: Sendable, Equatable {
        /// A path on this machine (`/srv/config.git`, `../config`).
        case local
        /// `file://` URLs.
        case file
        /// Plain and TLS HTTP (smart protocol).
        case http, https
        /// `ssh://` and scp-like `user@host:path`.
        case ssh
        /// The unauthenticated `git://` daemon protocol.
        case git
    }

    /// The transport.
    let transport: Transport
    /// The host for network transports (lowercased; IPv6 without brackets).
    let host: String?
    /// The explicit port, if the URL names one.
    let port: Int?
    /// The user name in the URL (`git` in `git@github.com:org/repo`).
    let user: String?

    /// Parses `url`; nil for an unsupported scheme or a URL without a host.
    init?(_ url: String) {
        if let range = url.range(of: "://") {
            let scheme = url[..<range.lowerBound].lowercased()
            let transports: [String: Transport] = [
                "file": .file, "http": .http, "https": .https, "ssh": .ssh, "git+ssh": .ssh, "ssh+git": .ssh,
                "git": .git,
            ]
            guard let transport = transports[scheme] else { return nil }
            if transport == .file {
                self.init(transport: .file, host: nil, port: nil, user: nil)
                return
            }
            guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
                return nil
            }
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            self.init(transport: transport, host: bare.lowercased(), port: components.port, user: components.user)
        } else if let scp = Self.scpLike(url) {
            self = scp
        } else {
            self.init(transport: .local, host: nil, port: nil, user: nil)
        }
    }

    private init(transport: Transport, host: String?, port: Int?, user: String?) {
        self.transport = transport
        self.host = host
        self.port = port
        self.user = user
    }

    /// `[user@]host:path` where the colon comes before any slash (git's rule; `./a:b` is a path).
    private static func scpLike(_ url: String) -> RemoteLocation? {
        guard let colon = url.firstIndex(of: ":"), !url.hasPrefix("/"), !url.hasPrefix(".") else { return nil }
        let authority = url[..<colon]
        guard !authority.isEmpty, !authority.contains("/") else { return nil }
        var user: String?
        var host = Substring(authority)
        if let at = authority.lastIndex(of: "@") {
            user = String(authority[..<at])
            host = authority[authority.index(after: at)...]
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        return RemoteLocation(transport: .ssh, host: host.lowercased(), port: nil, user: user)
    }
}
