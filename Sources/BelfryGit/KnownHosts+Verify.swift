/// Whether a server's host key is trusted by a `KnownHosts`.
public enum HostKeyVerdict: Sendable, Equatable {
    /// A line for this host lists exactly this key.
    case trusted
    /// No line names this host: refuse (never trust on first use).
    case unknownHost
    /// Lines name this host, but with other keys: refuse (the key changed, or the server
    /// offered a key type that is not listed; list every type `ssh-keyscan` prints).
    case keyMismatch
    /// The key is marked `@revoked`: refuse.
    case revoked
}

extension KnownHosts {
    /// The verdict for `key` (the raw public key blob) presented by `host` on `port`.
    public func verify(host: String, port: Int = 22, key: [UInt8]) -> HostKeyVerdict {
        let name = port == 22 ? host.lowercased() : "[\(host.lowercased())]:\(port)"
        let matching = entries.filter { $0.marker != .certAuthority && Self.matches($0.hosts, name: name) }
        if matching.contains(where: { $0.marker == .revoked && $0.key == key }) { return .revoked }
        if matching.contains(where: { $0.marker == .none && $0.key == key }) { return .trusted }
        return matching.contains(where: { $0.marker == .none }) ? .keyMismatch : .unknownHost
    }

    /// OpenSSH's host-list rule: some pattern matches and no negated pattern does.
    static func matches(_ hosts: Entry.Hosts, name: String) -> Bool {
        switch hosts {
        case .hashed(let salt, let hash):
            return SHA1.hmac(key: salt, message: Array(name.utf8)) == hash
        case .patterns(let patterns):
            var matched = false
            for pattern in patterns {
                if pattern.hasPrefix("!") {
                    if wildcard(Array(pattern.utf8.dropFirst()), Array(name.utf8)) { return false }
                } else if wildcard(Array(pattern.utf8), Array(name.utf8)) {
                    matched = true
                }
            }
            return matched
        }
    }

    /// `*` (any run) and `?` (one byte) glob matching over bytes.
    static func wildcard(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                p += 1
                resume = t
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
