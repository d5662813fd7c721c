import BelfryManifest
import PusherProtocol

extension AdminAccess {
    /// Who made a request to the admin port, for routes and logs; never the token itself.
    public enum Caller: Sendable, Equatable, CustomStringConvertible {
        /// The admin token (`DATA_DIR/admin-token`, `--admin-token`).
        case adminToken
        /// The `--metrics-token`, on `/metrics` only.
        case metricsToken
        /// An API token of a User's `spec.apiTokens`, by the User's and the token's names.
        case apiToken(user: String, token: String)
        /// A status page session of a User.
        case session(user: String)

        /// The User behind the request; nil for the admin and metrics tokens.
        public var user: String? {
            switch self {
            case .apiToken(let user, _), .session(let user): user
            case .adminToken, .metricsToken: nil
            }
        }

        /// `user alice (token ci)`, `user alice (session)`, `admin token`, `metrics token`.
        public var description: String {
            switch self {
            case .adminToken: "admin token"
            case .metricsToken: "metrics token"
            case .apiToken(let user, let token): "user \(user) (token \(token))"
            case .session(let user): "user \(user) (session)"
            }
        }
    }

    /// The token of an `Authorization: Bearer <token>` header.
    static func bearerToken(_ authorization: String?) -> String? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        return String(authorization.dropFirst(7))
    }

    /// The User and token name whose `sha256` is the presented token's digest. Every digest of
    /// every User is compared in constant time, without stopping at a match, so the time taken
    /// says nothing about which digests exist.
    static func apiTokenOwner(_ authorization: String?, users: [User]) -> (user: String, token: String)? {
        guard let presented = bearerToken(authorization), !presented.isEmpty else { return nil }
        let digest = APIToken.digest(of: presented)
        var owner: (user: String, token: String)?
        for user in users {
            for token in user.apiTokens where Signature.constantTimeEquals(digest, token.sha256) {
                owner = owner ?? (user.name, token.name)
            }
        }
        return owner
    }
}
