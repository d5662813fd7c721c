/// The value rules shared by the decoder and `schemas/*.schema.json` (keep the two in step).
enum ManifestRules {
    static let apiVersion = "belfry.dev/v1"
    static let namePattern = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
    static let appIDPattern = "^[A-Za-z0-9_-]{1,64}$"
    static let appKeyPattern = "^[A-Za-z0-9_-]{1,128}$"
    static let envNamePattern = "^[A-Za-z_][A-Za-z0-9_]*$"
    /// A host pattern: `*`, `example.com` or `*.example.com` (no scheme, no port).
    static let originPattern = "^(\\*|(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?)$"
    static let webhookURLPattern = "^https?://[^\\s/?#]+([/?#]\\S*)?$"
    static let emailPattern = "^[^@\\s]+@[^@\\s]+$"
    static let bcryptPattern = "^\\$2[aby]\\$[0-9]{2}\\$[./A-Za-z0-9]{53}$"
    /// Upper bound of every limit (fits a 32-bit signed integer).
    static let limitRange = 1...2_147_483_647
    static let webhookEvents = [
        "channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event",
        "cache_miss", "subscription_count",
    ]

    /// The annotation that lets a revision delete every App or every User.
    static let allowEmptyAnnotation = "belfry.dev/allow-empty"
}
