import Crypto

/// HMAC-SHA256 signatures as Pusher uses them: lowercase hex, compared in constant time.
public enum Signature {
    /// `hex(HMAC-SHA256(secret, message))`, for a one-off signature (see `SigningKey` to reuse a key).
    public static func hmacHex(secret: String, message: String) -> String {
        SigningKey(secret: secret).hex(message)
    }

    /// `hex(HMAC-SHA256(secret, bytes))`, for request bodies.
    public static func hmacHex(secret: String, bytes: [UInt8]) -> String {
        SigningKey(secret: secret).hex(bytes: bytes)
    }

    /// Lowercase hex MD5 of `bytes` (the HTTP API's `body_md5`).
    public static func md5Hex(_ bytes: some Sequence<UInt8>) -> String {
        // A digest is hex-encoded through its bytes: iterating it allocates.
        Insecure.MD5.hash(data: Array(bytes)).withUnsafeBytes { Hex.encode($0) }
    }

    /// Whether `hex` is the lower-case hex MD5 of `bytes`, compared in constant time without
    /// making the hex string.
    public static func md5Matches(_ bytes: [UInt8], hex: String) -> Bool {
        Insecure.MD5.hash(data: bytes).withUnsafeBytes { Hex.constantTimeEquals($0, hex: hex) }
    }

    /// Compares two strings in time that depends only on their lengths.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                var diff: UInt8 = 0
                for i in 0..<x.count { diff |= x[i] ^ y[i] }
                return diff == 0
            }
        }
    }

    /// The string signed for a private or encrypted channel subscription.
    public static func channelMessage(socketID: String, channel: String, channelData: String?) -> String {
        if let channelData { return "\(socketID):\(channel):\(channelData)" }
        return "\(socketID):\(channel)"
    }

    /// The string signed for `pusher:signin`.
    public static func signinMessage(socketID: String, userData: String) -> String {
        "\(socketID)::user::\(userData)"
    }

    /// Why an `auth` token was refused; the text is what the client sees.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case missing
        case malformed
        case wrongKey
        case mismatch(signed: String)

        public var description: String {
            switch self {
            case .missing: return "Missing auth token"
            case .malformed: return "Invalid auth token: expected \"<app key>:<hex signature>\""
            case .wrongKey: return "Invalid auth token: the key does not belong to this app"
            case .mismatch(let signed):
                return "Invalid signature: Expected HMAC SHA256 hex digest of \(signed)"
            }
        }
    }

    /// Checks an `auth` token `"<key>:<hex>"` against `message` signed with the app's secret(s).
    /// - Parameter secrets: the current secret first; a previous one may follow during rotation.
    public static func verifyToken(
        _ token: String?, appKey: String, secrets: [String], message: String
    ) -> Result<Void, Refusal> {
        guard let token, !token.isEmpty else { return .failure(.missing) }
        guard let colon = token.firstIndex(of: ":") else { return .failure(.malformed) }
        let key = token[..<colon]
        let signature = String(token[token.index(after: colon)...])
        guard key == appKey else { return .failure(.wrongKey) }
        for secret in secrets where constantTimeEquals(hmacHex(secret: secret, message: message), signature) {
            return .success(())
        }
        return .failure(.mismatch(signed: message))
    }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        if let encoded = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0)) }) {
            return encoded
        }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    /// Whether `hex` is the lower-case hex of `bytes`, in time that depends only on the lengths.
    public static func constantTimeEquals(_ bytes: UnsafeRawBufferPointer, hex: String) -> Bool {
        var hex = hex
        return hex.withUTF8 { text in
            guard text.count == bytes.count * 2 else { return false }
            var diff: UInt8 = 0
            for (index, b) in bytes.enumerated() {
                diff |= text[2 * index] ^ digits[Int(b >> 4)]
                diff |= text[2 * index + 1] ^ digits[Int(b & 0x0F)]
            }
            return diff == 0
        }
    }

    public static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (index, b) in bytes.enumerated() {
                out[2 * index] = digits[Int(b >> 4)]
                out[2 * index + 1] = digits[Int(b & 0x0F)]
            }
            return bytes.count * 2
        }
    }
}
