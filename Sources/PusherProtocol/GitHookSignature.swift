/// Authenticates `POST /hooks/git` calls from a git host against the configured secret, in
/// constant time: GitHub's `X-Hub-Signature-256: sha256=<hex HMAC of the body>`, GitLab's
/// `X-Gitlab-Token: <secret>`, or a generic `X-Belfry-Signature: sha256=<hex HMAC>`.
public enum GitHookSignature {
    public enum Verdict: Sendable, Equatable {
        case accepted(provider: String)
        case rejected(String)
    }

    /// - Parameter header: looks a request header up by case-insensitive name.
    public static func verify(body: [UInt8], secret: String, header: (String) -> String?) -> Verdict {
        func hmacMatches(_ value: String) -> Bool {
            guard value.hasPrefix("sha256=") else { return false }
            return Signature.constantTimeEquals(
                String(value.dropFirst(7)).lowercased(), Signature.hmacHex(secret: secret, bytes: body))
        }
        if let value = header("X-Hub-Signature-256") {
            return hmacMatches(value) ? .accepted(provider: "github") : .rejected("X-Hub-Signature-256 does not match")
        }
        if let value = header("X-Gitlab-Token") {
            return Signature.constantTimeEquals(value, secret)
                ? .accepted(provider: "gitlab") : .rejected("X-Gitlab-Token does not match")
        }
        if let value = header("X-Belfry-Signature") {
            return hmacMatches(value) ? .accepted(provider: "generic") : .rejected("X-Belfry-Signature does not match")
        }
        return .rejected("missing X-Hub-Signature-256, X-Gitlab-Token or X-Belfry-Signature")
    }
}
