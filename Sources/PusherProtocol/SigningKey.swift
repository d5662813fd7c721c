import Crypto

/// An app secret prepared for HMAC-SHA256 once: every signed API request is checked against
/// it, and keying an HMAC costs about as much as computing the MAC of a short request.
public struct SigningKey: @unchecked Sendable {
    // @unchecked: `HMAC<SHA256>` is a value type with no shared mutable state; it is only
    // copied here, never mutated in place.
    public let secret: String
    private let keyed: HMAC<SHA256>

    public init(secret: String) {
        self.secret = secret
        self.keyed = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
    }

    /// `hex(HMAC-SHA256(secret, message))`.
    public func hex(_ message: String) -> String {
        hex(bytes: Array(message.utf8))
    }

    /// `hex(HMAC-SHA256(secret, bytes))`.
    public func hex(bytes: [UInt8]) -> String {
        var mac = keyed
        mac.update(data: bytes)
        return mac.finalize().withUnsafeBytes { Hex.encode($0) }
    }

    /// Whether `hex` is `hex(HMAC-SHA256(secret, bytes))`, compared in constant time without
    /// making the hex string.
    public func matches(bytes: [UInt8], hex: String) -> Bool {
        var mac = keyed
        mac.update(data: bytes)
        return mac.finalize().withUnsafeBytes { Hex.constantTimeEquals($0, hex: hex) }
    }
}
