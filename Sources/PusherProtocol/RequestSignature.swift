/// Pusher HTTP API request signing (auth_version 1.0): `hex(HMAC-SHA256(secret, METHOD\npath\n
/// canonical_query))`, where the canonical query is every parameter except `auth_signature`,
/// keys lowercased and sorted, values unescaped. The body's MD5 is recomputed, never trusted.
public enum RequestSignature {
    /// How far `auth_timestamp` may be from the server's clock, in seconds.
    public static let timestampWindow = 600

    /// The string that is signed.
    public static func stringToSign(method: String, path: String, query: [(String, String)]) -> String {
        String(decoding: bytesToSign(method: method, path: path, query: query), as: UTF8.self)
    }

    /// `METHOD\npath\nk1=v1&k2=v2…`: the query without `auth_signature`, keys lower-cased and
    /// sorted, values as decoded. Built as bytes, which is what the HMAC takes.
    static func bytesToSign(method: String, path: String, query: [(String, String)]) -> [UInt8] {
        var pairs: [(key: String, value: String)] = []
        pairs.reserveCapacity(query.count)
        var length = method.utf8.count + path.utf8.count + 2
        for (key, value) in query {
            let lower = key.utf8.contains { $0 >= 0x41 && $0 <= 0x5A } ? key.lowercased() : key
            if lower != "auth_signature" {
                pairs.append((lower, value))
                length += lower.utf8.count + value.utf8.count + 2
            }
        }
        pairs.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(length)
        for byte in method.utf8 { out.append(byte >= 0x61 && byte <= 0x7A ? byte - 32 : byte) }
        out.append(0x0A)
        out.append(contentsOf: path.utf8)
        out.append(0x0A)
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: pair.key.utf8)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pair.value.utf8)
        }
        return out
    }

    /// Checks a request; `secrets` holds the current secret first (and a previous one during rotation).
    public static func verify(
        method: String, path: String, query: [(String, String)], body: [UInt8],
        appKey: String, secrets: [String], now: Int
    ) -> Result<Void, APIError> {
        let keys = secrets.map { SigningKey(secret: $0) }
        return verify(method: method, path: path, query: query, body: body, appKey: appKey, now: now) {
            message, signature in keys.contains { $0.matches(bytes: message, hex: signature) }
        }
    }

    /// Checks a request against one prepared key (no array to build per request).
    public static func verify(
        method: String, path: String, query: [(String, String)], body: [UInt8],
        appKey: String, key signingKey: SigningKey, now: Int
    ) -> Result<Void, APIError> {
        verify(method: method, path: path, query: query, body: body, appKey: appKey, now: now) { message, signature in
            signingKey.matches(bytes: message, hex: signature)
        }
    }

    private static func verify(
        method: String, path: String, query: [(String, String)], body: [UInt8], appKey: String, now: Int,
        signed: (_ message: [UInt8], _ signature: String) -> Bool
    ) -> Result<Void, APIError> {
        func param(_ name: String) -> String? { query.first { $0.0 == name }?.1 }
        // In the order Pusher's signing library checks them, with its messages (APIError+Pusher).
        guard let key = param("auth_key") else { return .failure(.missingParameter("auth_key")) }
        guard key == appKey else { return .failure(.unknownAuthKey(key)) }
        guard let version = param("auth_version") else { return .failure(.versionRequired) }
        guard version == "1.0" else { return .failure(.versionNotSupported(version)) }
        guard let timestamp = param("auth_timestamp") else { return .failure(.timestampRequired()) }
        guard let ts = Int(timestamp) else { return .failure(.timestampRequired(given: timestamp)) }
        // Compared without subtracting: an auth_timestamp near Int.min must not overflow.
        guard ts >= now - timestampWindow, ts <= now + timestampWindow else {
            return .failure(.timestampExpired(given: ts, now: now, window: timestampWindow))
        }
        guard let signature = param("auth_signature") else { return .failure(.missingParameter("auth_signature")) }
        if !body.isEmpty || param("body_md5") != nil {
            guard let claimed = param("body_md5") else {
                return .failure(.unauthorized("body_md5 is required when the request has a body"))
            }
            guard Signature.md5Matches(body, hex: claimed) else {
                return .failure(.unauthorized("body_md5 does not match the request body"))
            }
        }
        let message = bytesToSign(method: method, path: path, query: query)
        if signed(message, signature) { return .success(()) }
        return .failure(.invalidSignature(stringToSign: String(decoding: message, as: UTF8.self), sent: signature))
    }
}
