import BelfryManifest
import Testing

@testable import BelfryStatus

@Suite struct SessionCodecTests {
    private let codec = SessionCodec(key: Array(repeating: 7, count: 32))
    private let session = Session(user: "alice", credential: "abc", nonce: "n1", issuedAt: 1000, seenAt: 1100)

    @Test func aSessionSurvivesTheRoundTrip() {
        let value = codec.encode(session)
        #expect(value.hasPrefix("v1."))
        #expect(codec.decode(value) == session)
        // Cookie-safe: no characters that need quoting in a cookie value.
        #expect(value.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) })
    }

    @Test func aChangedPayloadOrMacIsRejected() {
        let value = codec.encode(session)
        let other = codec.encode(Session(user: "mallory", credential: "abc", nonce: "n1", issuedAt: 1000, seenAt: 1100))
        let parts = value.split(separator: ".")
        let forged = "v1." + other.split(separator: ".")[1] + "." + parts[2]
        #expect(codec.decode(forged) == nil)
        #expect(codec.decode(String(value.dropLast())) == nil)
        #expect(codec.decode(value + "A") == nil)
        #expect(codec.decode("v1..") == nil)
        #expect(codec.decode("") == nil)
        #expect(codec.decode("v2." + parts[1] + "." + parts[2]) == nil)
    }

    @Test func anotherKeysSessionIsRejected() {
        let other = SessionCodec(key: Array(repeating: 8, count: 32))
        #expect(other.decode(codec.encode(session)) == nil)
    }

    @Test func anOverlongValueIsRejectedUnread() {
        #expect(codec.decode("v1." + String(repeating: "A", count: 5000) + ".x") == nil)
    }

    @Test func theCSRFTokenIsBoundToTheSession() {
        let token = codec.csrfToken(for: session)
        #expect(codec.checkCSRF(token, for: session))
        var other = session
        other.nonce = "n2"
        #expect(!codec.checkCSRF(token, for: other))
        #expect(!codec.checkCSRF("", for: session))
        #expect(!codec.checkCSRF("not base64!", for: session))
    }
}

@Suite struct SessionPolicyTests {
    private let policy = SessionPolicy(idleTimeout: 1800, absoluteTimeout: 43200, refreshAfter: 60)
    private let alice = User(name: "alice", email: "alice@example.com", passwordHash: "$2b$04$hash")

    private func session(issued: Int = 0, seen: Int = 0, user: String = "alice", hash: String = "$2b$04$hash")
        -> Session
    {
        Session(
            user: user, credential: SessionPolicy.credential(of: hash), nonce: "n", issuedAt: issued, seenAt: seen)
    }

    @Test func aFreshSessionIsValidWithoutRefresh() {
        #expect(policy.check(session(), now: 30, users: [alice], isRevoked: false) == .valid(alice, refreshed: nil))
    }

    @Test func anActiveSessionIsRefreshedAtMostOnceAMinute() {
        var refreshed = session()
        refreshed.seenAt = 61
        #expect(
            policy.check(session(), now: 61, users: [alice], isRevoked: false)
                == .valid(alice, refreshed: refreshed))
    }

    @Test func idleAndAbsoluteExpiry() {
        #expect(policy.check(session(), now: 1800, users: [alice], isRevoked: false) == .ended(.idle))
        // Kept active, it still ends 12 h after login.
        #expect(
            policy.check(session(issued: 0, seen: 43_000), now: 43_200, users: [alice], isRevoked: false)
                == .ended(.expired))
        // A session from the future (clock stepped back or a forged time) is not trusted.
        #expect(
            policy.check(session(issued: 10_000, seen: 10_000), now: 100, users: [alice], isRevoked: false)
                == .ended(.expired))
    }

    @Test func aRemovedUserOrAChangedHashEndsTheSession() {
        #expect(policy.check(session(), now: 10, users: [], isRevoked: false) == .ended(.userRemoved))
        var changed = alice
        changed.passwordHash = "$2b$04$other"
        #expect(policy.check(session(), now: 10, users: [changed], isRevoked: false) == .ended(.passwordChanged))
    }

    @Test func aLoggedOutSessionStaysEnded() {
        #expect(policy.check(session(), now: 10, users: [alice], isRevoked: true) == .ended(.loggedOut))
    }

    @Test func theCredentialRevealsNothingOfTheHash() {
        let credential = SessionPolicy.credential(of: alice.passwordHash)
        #expect(credential.count == 24)
        #expect(!alice.passwordHash.contains(credential))
        #expect(credential != SessionPolicy.credential(of: "$2b$04$other"))
    }
}
