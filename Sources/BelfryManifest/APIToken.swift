import Crypto
import PusherProtocol

/// One entry of a User's `spec.apiTokens`: a name and the SHA-256 of a bearer token for
/// `/api/v1`. The token itself is shown once by `belfry token new` and never stored.
public struct APIToken: Sendable, Equatable, Hashable {
    /// What the token is for (`ci`); unique within its User.
    public var name: String
    /// SHA-256 of the token, 64 lower-case hex digits; unique across all Users.
    public var sha256: String

    public init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256
    }

    /// What every token starts with, so a leaked one is recognisable (secret scanners, logs).
    public static let prefix = "bfy_"

    /// A fresh token: `bfy_` and 32 random bytes in base64url without padding (47 characters).
    public static func generate<R: RandomNumberGenerator>(using generator: inout R) -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + base64URL(bytes)
    }

    /// A fresh token from the system's secure generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// The `sha256` a manifest holds for `token`: its SHA-256 in lower-case hex.
    public static func digest(of token: String) -> String {
        Hex.encode(SHA256.hash(data: Array(token.utf8)))
    }

    /// Whether `name` may name a token (or a User): a DNS label, as `metadata.name`.
    public static func isValidName(_ name: String) -> Bool {
        NodeReader.matches(name, ManifestRules.namePattern)
    }

    /// RFC 4648 §5 base64url, without `=` padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { out.append(alphabet[(value >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return out
    }
}
