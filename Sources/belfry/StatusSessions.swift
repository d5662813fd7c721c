import BelfryManifest
import BelfryServer
import BelfryStatus
import BelfryStore
import Foundation
import Logging
import Synchronization

/// The status page's logins and sessions, over the users of the applied configuration.
///
/// - A session is a signed cookie (`SessionCodec`, key in `DATA_DIR/session-key`); every
///   request checks it against the applied users (`SessionPolicy`): a User removed from git,
///   or whose hash changed, is signed out at their next request.
/// - Logout revokes the session in the database before the cookie is cleared.
/// - Logins are throttled per email and per address (`LoginThrottle`) and bcrypt runs on its
///   own thread (`PasswordCheck`); unknown emails cost the same bcrypt as known ones.
final class StatusSessions: AdminSessions {
    static let sessionCookie = "belfry_session"
    static let loginCookie = "belfry_login"

    let codec: SessionCodec
    let policy: SessionPolicy
    private let users: @Sendable () -> [User]
    private let store: Store
    private let logger: Logger
    /// Sessions ended by logout → when they would have expired (then they are forgotten).
    private let revoked: Mutex<[String: Date]>
    private let throttle = Mutex(LoginThrottle())
    private let passwords = PasswordCheck()

    init(
        key: [UInt8], policy: SessionPolicy = SessionPolicy(), revoked: [String: Date], store: Store, logger: Logger,
        users: @escaping @Sendable () -> [User]
    ) {
        codec = SessionCodec(key: key)
        self.policy = policy
        self.revoked = Mutex(revoked)
        self.store = store
        self.logger = logger
        self.users = users
    }

    /// The session key: 32 random bytes kept hex-encoded in `DATA_DIR/session-key` (0600, made
    /// once). Replacing the file signs everyone out.
    static func key(dataDirectory: String) throws -> [UInt8] {
        let path = dataDirectory + "/session-key"
        _ = try PrivateFile.createIfMissing(path, contents: Store.randomHex(bytes: 32) + "\n")
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) {
            guard let byte = UInt8(text[index..<next], radix: 16) else { break }
            bytes.append(byte)
            index = next
        }
        guard bytes.count >= 32, index == text.endIndex else {
            throw CommandFailure("\(path) must hold at least 64 hex digits; delete it to make a new one")
        }
        return bytes
    }

    func authenticate(_ request: AdminServer.Request) async -> AdminServer.SignedIn? {
        guard let value = request.cookie(Self.sessionCookie), let session = codec.decode(value) else { return nil }
        let now = Int(Date().timeIntervalSince1970)
        let isRevoked = revoked.withLock { $0[session.nonce] != nil }
        switch policy.check(session, now: now, users: users(), isRevoked: isRevoked) {
        case .valid(let account, let refreshed):
            return AdminServer.SignedIn(
                user: account.name, email: account.email, csrf: codec.csrfToken(for: session),
                setCookie: refreshed.map { cookie(for: $0, secure: request.isTLS, now: now) })
        case .ended(let reason):
            logger.debug("status page session ended", metadata: ["user": "\(session.user)", "reason": "\(reason)"])
            return nil
        }
    }

    /// The session behind a request that `authenticate` let in.
    func session(of request: AdminServer.Request) -> Session? {
        request.cookie(Self.sessionCookie).flatMap(codec.decode)
    }

    enum LoginOutcome: Sendable, Equatable {
        /// Signed in: the `Set-Cookie` value of the new session.
        case signedIn(user: String, cookie: String)
        case refused(status: Int, message: String)
    }

    func login(email: String, password: String, address: String, secure: Bool) async -> LoginOutcome {
        let now = Int(Date().timeIntervalSince1970)
        let wait = throttle.withLock { $0.wait(email: email, address: address, now: now) }
        if wait > 0 {
            logger.warning(
                "status page login refused: too many failures",
                metadata: ["email": "\(email.prefix(254))", "address": "\(address)", "wait_s": "\(wait)"])
            return .refused(
                status: 429, message: "Too many failed sign-ins. Try again in \(Format.duration(seconds: wait)).")
        }
        let account = users().first { $0.email.lowercased() == email.lowercased() }
        guard password.utf8.count <= 1024,
            let matched = await passwords.verify(password, hash: account?.passwordHash ?? PasswordCheck.decoyHash)
        else {
            return .refused(status: 503, message: "Too many sign-ins at once. Try again in a moment.")
        }
        guard matched, let account else {
            throttle.withLock { $0.recordFailure(email: email, address: address, now: now) }
            logger.warning(
                "status page login failed",
                metadata: [
                    "email": "\(email.prefix(254))", "address": "\(address)",
                    "reason": "\(account == nil ? "unknown email" : "wrong password")",
                ])
            return .refused(status: 401, message: "Wrong email or password.")
        }
        throttle.withLock { $0.recordSuccess(email: email) }
        let session = Session(
            user: account.name, credential: SessionPolicy.credential(of: account.passwordHash),
            nonce: Store.randomHex(bytes: 16), issuedAt: now, seenAt: now)
        logger.info("status page login", metadata: ["user": "\(account.name)", "address": "\(address)"])
        return .signedIn(user: account.name, cookie: cookie(for: session, secure: secure, now: now))
    }

    /// Ends a session for good: written to the database first, so a restart keeps it ended.
    func logout(_ session: Session) async throws {
        let expires = Date(timeIntervalSince1970: Double(session.issuedAt + policy.absoluteTimeout))
        try await store.revokeSession(nonce: session.nonce, expiresAt: expires)
        revoked.withLock { revoked in
            let now = Date()
            revoked = revoked.filter { $0.value > now }
            revoked[session.nonce] = expires
        }
        logger.info("status page logout", metadata: ["user": "\(session.user)"])
    }

    func cookie(for session: Session, secure: Bool, now: Int) -> String {
        let maxAge = max(0, session.issuedAt + policy.absoluteTimeout - now)
        return Self.cookie(Self.sessionCookie, codec.encode(session), maxAge: maxAge, secure: secure)
    }

    /// A `Set-Cookie` value with the flags every Belfry cookie has.
    static func cookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
