import Dispatch
import HummingbirdBcrypt
import Synchronization

/// Verifies passwords against bcrypt hashes on a thread of its own, one at a time.
///
/// bcrypt is slow on purpose (cost 12 is a quarter of a second): run on the event loops or the
/// cooperative pool it would stall WebSocket traffic. One serial queue bounds the CPU that login
/// attempts can take, and at most `maxWaiting` checks wait for it; more are refused at once
/// (`nil`), so a flood of logins costs memory and CPU in fixed amounts.
public final class PasswordCheck: Sendable {
    private let queue = DispatchQueue(label: "belfry.bcrypt")
    private let waiting = Mutex(0)
    public let maxWaiting: Int

    /// A bcrypt hash of a random password, checked when the email is unknown so that the answer
    /// takes as long as for a known one (no account discovery by timing).
    public static let decoyHash = "$2b$12$.g.K1wEJrjvygEykZbGOrusaiJIy.OgJA2xj4./Se0tyot0LYmxVC"

    public init(maxWaiting: Int = 8) {
        self.maxWaiting = maxWaiting
    }

    /// Whether `password` matches `hash`; nil when too many checks are waiting already.
    public func verify(_ password: String, hash: String) async -> Bool? {
        let admitted = waiting.withLock { count in
            guard count < maxWaiting else { return false }
            count += 1
            return true
        }
        guard admitted else { return nil }
        return await withCheckedContinuation { continuation in
            queue.async {
                let matched = Bcrypt.verify(password, hash: hash)
                self.waiting.withLock { $0 -= 1 }
                continuation.resume(returning: matched)
            }
        }
    }
}
