import BelfryManifest
import Crypto
import Foundation

/// Decides whether a session is still good: pure, over the session, the clock, the users of the
/// applied configuration and the sessions ended by logout.
public struct SessionPolicy: Sendable, Equatable {
    /// Seconds without a request after which a session ends.
    public var idleTimeout: Int
    /// Seconds after login after which a session ends whatever its activity.
    public var absoluteTimeout: Int
    /// A valid session's cookie is re-signed with a new `seenAt` at most this often.
    public var refreshAfter: Int

    public init(idleTimeout: Int = 30 * 60, absoluteTimeout: Int = 12 * 3600, refreshAfter: Int = 60) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.refreshAfter = refreshAfter
    }

    public enum Verdict: Sendable, Equatable {
        /// Good; `refreshed` is the session to re-sign into the cookie, when it is due.
        case valid(User, refreshed: Session?)
        case ended(Ending)
    }

    /// Why a session is no longer good (logged; the user just sees the login page).
    public enum Ending: String, Sendable, Equatable {
        case idle, expired, loggedOut = "logged out", userRemoved = "user removed"
        case passwordChanged = "password changed"
    }

    public func check(_ session: Session, now: Int, users: [User], isRevoked: Bool) -> Verdict {
        if isRevoked { return .ended(.loggedOut) }
        // A cookie from the future (clock stepped back, or forged times) is treated as expired.
        guard session.issuedAt <= now + 60, now - session.issuedAt < absoluteTimeout else { return .ended(.expired) }
        guard session.seenAt <= now + 60, now - session.seenAt < idleTimeout else { return .ended(.idle) }
        guard let account = users.first(where: { $0.name == session.user }) else { return .ended(.userRemoved) }
        guard Self.credential(of: account.passwordHash) == session.credential else {
            return .ended(.passwordChanged)
        }
        guard now - session.seenAt >= refreshAfter else { return .valid(account, refreshed: nil) }
        var refreshed = session
        refreshed.seenAt = now
        return .valid(account, refreshed: refreshed)
    }

    /// A short digest of a password hash: changes when the hash does, reveals nothing of it.
    public static func credential(of passwordHash: String) -> String {
        SHA256.hash(data: Array(passwordHash.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}
