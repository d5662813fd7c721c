/// The value rules shared by the decoder and `schemas/*.schema.json` (keep the two in step).
enum ManifestRules {
    static let apiVersion = "belfry.dev/v1"
    static let namePattern = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
    static let appIDPattern = "^[A-Za-z0-9_-]{1,64}$"
    static let appKeyPattern = "^[A-Za-z0-9_-]{1,128}$"
    static let envNamePattern = "^[A-Za-z_][A-Za-z0-9_]*$"
    /// An `allowedOrigins` entry: `*`, a host pattern (`example.com`, `*.example.com`) or an
    /// origin, `scheme://host[:port]` (a host name or a bracketed IPv6 address, a port 1–65535).
    static let originPattern =
        "^(\\*|(\\*\\.)?\(host)|[A-Za-z][-A-Za-z0-9+.]*://(\(host)|\\[[0-9A-Fa-f:.]+\\])(:\(port))?)$"
    /// Said of an entry that does not match `originPattern`.
    static let originMessage =
        "must be an origin, scheme://host[:port] without a path (https://shop.example.com, http://localhost:8080), "
        + "or a host pattern (example.com, *.example.com, *)"
    /// A host name, as `originPattern` takes it.
    private static let host = "[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?"
    /// 1–65535 without leading zeros.
    private static let port = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
    static let webhookURLPattern = "^https?://[^\\s/?#]+([/?#]\\S*)?$"
    static let emailPattern = "^[^@\\s]+@[^@\\s]+$"
    static let bcryptPattern = "^\\$2[aby]\\$[0-9]{2}\\$[./A-Za-z0-9]{53}$"
    /// An API token's `sha256`: the digest in lower-case hex.
    static let sha256Pattern = "^[0-9a-f]{64}$"
    /// Said of a `sha256` that does not match, without repeating it: it may be the token itself.
    static let sha256Message =
        "must be the SHA-256 of the token (64 lower-case hex digits, as `belfry token new` prints it), "
        + "never the token itself"
    /// Most `spec.apiTokens` entries one User may have.
    static let maxAPITokens = 20
    static let webhookEvents = [
        "channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event",
        "cache_miss", "subscription_count", "connection_opened", "connection_closed",
    ]
    /// An HTTP header name (RFC 9110 token, the common subset).
    static let headerNamePattern = "^[A-Za-z0-9-]{1,64}$"
    /// A header value on one line.
    static let headerValuePattern = "^[^\\r\\n]{0,1024}$"
    /// Headers Belfry sets itself on every webhook request (compared in lower case).
    static let reservedWebhookHeaders: Set<String> = [
        "content-type", "content-length", "host", "x-pusher-key", "x-pusher-signature", "connection",
        "transfer-encoding", "user-agent",
    ]

    /// The annotation that lets a revision delete every App or every User.
    static let allowEmptyAnnotation = "belfry.dev/allow-empty"
}
