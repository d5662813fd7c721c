/// Where a Redis server is and how to log in: `redis://[user:password@]host[:port][/db]`, or
/// `rediss://` for TLS. Percent-escapes in the user and password are decoded.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int
    public var tls: Bool
    /// For `rediss://`: a PEM file of the certificate authorities that may sign the server's
    /// certificate (a private CA); nil trusts the system's. Not part of the URL's text.
    public var caFile: String?

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case scheme(String)
        case host
        case port(String)
        case database(String)

        public var description: String {
            switch self {
            case .scheme(let url): "a Redis URL starts with redis:// or rediss://, got \(url)"
            case .host: "the Redis URL has no host"
            case .port(let text): "the Redis URL's port \(text) is not 1–65535"
            case .database(let text): "the Redis URL's database \(text) is not a number 0–15"
            }
        }
    }

    public init(parsing text: String) throws(Failure) {
        let rest: Substring
        if text.hasPrefix("redis://") {
            tls = false
            rest = text.dropFirst("redis://".count)
        } else if text.hasPrefix("rediss://") {
            tls = true
            rest = text.dropFirst("rediss://".count)
        } else {
            throw .scheme(Self.redacted(text))
        }
        var authority = rest
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        username = nil
        password = nil
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = Self.percentDecoded(credentials[..<colon])
                username = user.isEmpty ? nil : user
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                password = Self.percentDecoded(credentials)
            }
        }
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<end])
            authority = authority[authority.index(after: end)...]
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            authority = authority[colon...]
        } else {
            host = String(authority)
            authority = ""
        }
        guard !host.isEmpty else { throw .host }
        if authority.hasPrefix(":") {
            let text = String(authority.dropFirst())
            guard let number = Int(text), (1...65535).contains(number) else { throw .port(text) }
            port = number
        } else {
            port = 6379
        }
        let db = path.split(separator: "?").first.map(String.init) ?? ""
        if db.isEmpty {
            database = 0
        } else {
            guard let number = Int(db), (0...15).contains(number) else { throw .database(db) }
            database = number
        }
    }

    /// Whether the host is an IPv4 or IPv6 address rather than a name.
    public var hostIsAddress: Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in UInt8(part) != nil }
    }

    /// The URL with the password replaced by `***` (for logs).
    public var description: String {
        let credentials =
            switch (username, password) {
            case (let user?, _?): "\(user):***@"
            case (nil, _?): ":***@"
            default: ""
            }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "rediss" : "redis")://\(credentials)\(shownHost):\(port)/\(database)"
    }

    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let colon = text.firstIndex(of: ":"), colon < at else { return text }
        return String(text[...colon]) + "//***" + String(text[at...])
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let first = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
                let second = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), second < utf8.endIndex,
                let value = UInt8(String(decoding: [utf8[first], utf8[second]], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = utf8.index(after: second)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
