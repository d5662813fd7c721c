import Crypto
import Foundation

/// A signed-in status page user, as the session cookie carries it.
///
/// The cookie is the whole session (a restart keeps it); what the server keeps is only the list
/// of sessions ended by logout (`nonce`) and the users of the applied configuration, against
/// which every request checks it (`SessionPolicy`).
public struct Session: Sendable, Equatable {
    /// The User's `metadata.name`.
    public var user: String
    /// `SessionPolicy.credential(of:)` of the password hash the user logged in with: a changed
    /// hash (a new password in git) ends the session.
    public var credential: String
    /// Random, unique per login: what a logout revokes.
    public var nonce: String
    /// Seconds since 1970 of the login (absolute expiry).
    public var issuedAt: Int
    /// Seconds since 1970 of the last request that refreshed the cookie (idle expiry).
    public var seenAt: Int

    public init(user: String, credential: String, nonce: String, issuedAt: Int, seenAt: Int) {
        self.user = user
        self.credential = credential
        self.nonce = nonce
        self.issuedAt = issuedAt
        self.seenAt = seenAt
    }
}

/// Encodes sessions as cookie values signed with HMAC-SHA256 and reads them back.
///
/// Format: `v1.<base64url(fields joined by "\n")>.<base64url(mac)>`; the MAC covers `v1.` and the
/// payload. A value that is malformed, too long or wrongly signed decodes to nil.
public struct SessionCodec: Sendable {
    private let key: SymmetricKey
    /// Longest cookie value read: far above a real session, far below the admin port's limits.
    public static let maxLength = 1024

    /// - Parameter key: at least 32 bytes, kept secret (`DATA_DIR/session-key`).
    public init(key: [UInt8]) {
        precondition(key.count >= 32, "a session key has at least 32 bytes")
        self.key = SymmetricKey(data: key)
    }

    public func encode(_ session: Session) -> String {
        let fields = [
            session.user, session.credential, session.nonce, String(session.issuedAt), String(session.seenAt),
        ]
        let signed = "v1." + Base64URL.encode(Array(fields.joined(separator: "\n").utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signed.utf8), using: key)
        return signed + "." + Base64URL.encode(Array(mac))
    }

    public func decode(_ value: String) -> Session? {
        guard value.utf8.count <= Self.maxLength, value.hasPrefix("v1."),
            let dot = value.lastIndex(of: "."), dot > value.index(value.startIndex, offsetBy: 2),
            let mac = Base64URL.decode(value[value.index(after: dot)...])
        else { return nil }
        let signed = value[..<dot]
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(signed.utf8), using: key),
            let payload = Base64URL.decode(signed.dropFirst(3)),
            let text = String(validating: payload, as: UTF8.self)
        else { return nil }
        let fields = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5, let issuedAt = Int(fields[3]), let seenAt = Int(fields[4]) else { return nil }
        return Session(user: fields[0], credential: fields[1], nonce: fields[2], issuedAt: issuedAt, seenAt: seenAt)
    }

    /// The token a signed-in page's forms carry (logout): bound to one session, useless to
    /// anyone who cannot read the page.
    public func csrfToken(for session: Session) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("csrf\n\(session.nonce)".utf8), using: key)
        return Base64URL.encode(Array(mac))
    }

    /// Whether `token` is `csrfToken(for: session)`, compared in constant time.
    public func checkCSRF(_ token: String, for session: Session) -> Bool {
        guard let mac = Base64URL.decode(Substring(token)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            mac, authenticating: Array("csrf\n\(session.nonce)".utf8), using: key)
    }
}

/// base64url without padding (RFC 4648 §5), as cookies and URLs want it.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { Array($0) }
    }
}
