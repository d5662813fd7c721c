import BelfryJSON

/// HTTP API refusals in hosted Pusher's words, so that code and SDK test suites written against
/// Pusher find the phrases they look for; Belfry's detail follows where it helps. The
/// authentication texts are those of Pusher's request-signing library (`Missing parameter:
/// auth_key`, `Unknown auth_key`, `Version not supported`, `Timestamp expired: …`, `Invalid
/// signature: you should have sent …`); the size texts are hosted Pusher's answers as SDK users
/// quote them.
extension APIError {
    /// 413: an event whose `data` is over the limit. `batchIndex` names it within a batch.
    /// Example: `Request Entity Too Large: The data content of this event exceeds the allowed
    /// maximum (10240 bytes); batch[0] has 11264 bytes`.
    public static func eventTooLarge(bytes: Int, limit: Int, batchIndex: Int? = nil) -> APIError {
        let event = batchIndex.map { "batch[\($0)]" } ?? "the event"
        return .tooLarge(
            "Request Entity Too Large: The data content of this event exceeds the allowed maximum (\(limit) bytes); "
                + "\(event) has \(bytes) bytes")
    }

    /// 400: more events in a batch than allowed, `Batch too large (11 > 10)`.
    public static func batchTooLarge(count: Int, limit: Int) -> APIError {
        .badRequest("Batch too large (\(count) > \(limit))")
    }

    /// 401: an authentication parameter is absent.
    public static func missingParameter(_ name: String) -> APIError {
        .unauthorized("Missing parameter: \(name)")
    }

    /// 401: `auth_key` is not the key of the app in the path.
    public static func unknownAuthKey(_ key: String) -> APIError {
        .unauthorized("Unknown auth_key: \(JSONText.quoted(key)) is not this app's key")
    }

    /// 401: `auth_version` absent.
    public static let versionRequired = APIError.unauthorized("Version required: auth_version=1.0")

    /// 401: `auth_version` other than 1.0.
    public static func versionNotSupported(_ version: String) -> APIError {
        .unauthorized("Version not supported: auth_version \(JSONText.quoted(version)); expected 1.0")
    }

    /// 401: `auth_timestamp` absent or not a number of seconds.
    public static func timestampRequired(given: String? = nil) -> APIError {
        guard let given else { return .unauthorized("Timestamp required") }
        return .unauthorized(
            "Timestamp required: auth_timestamp \(JSONText.quoted(given)) is not a Unix time in seconds")
    }

    /// 401: `auth_timestamp` too far from the server's clock (both as ISO 8601 UTC, like Pusher).
    public static func timestampExpired(given: Int, now: Int, window: Int) -> APIError {
        .unauthorized(
            "Timestamp expired: Given timestamp (\(UTCTime.iso8601(given))) not within \(window)s of server time "
                + "(\(UTCTime.iso8601(now)))")
    }

    /// 401: the signature does not match; says exactly what to sign.
    public static func invalidSignature(stringToSign: String, sent: String) -> APIError {
        .unauthorized(
            "Invalid signature: you should have sent HmacSHA256Hex(\(JSONText.quoted(stringToSign)), your_secret_key), "
                + "but you sent \(JSONText.quoted(sent))")
    }

    /// 403: the app is disabled (`spec.enabled: false`); Pusher's 4003 wording.
    public static func appDisabled(_ appID: String) -> APIError {
        .forbidden("Application disabled: app \(appID) has spec.enabled: false")
    }
}
