/// Slows password guessing: failed logins are counted per email and per client address, and
/// past a few free attempts each key must wait, doubling with every failure up to a cap.
///
/// Pure state: the caller asks `wait(email:address:now:)` before checking a password and reports
/// the outcome. Memory is bounded: each map keeps at most `maxKeys` entries, forgetting the
/// quietest first.
///
/// With the defaults, one email gets 5 guesses, then 1 per 1, 2, 4 … 900 s: about 100 guesses a
/// day, whatever the number of addresses the attacker has.
public struct LoginThrottle: Sendable {
    public struct Rules: Sendable, Equatable {
        /// Failures allowed before waits start.
        public var freeFailures: Int
        /// The longest wait, in seconds.
        public var maxWait: Int
        /// A key with no failure for this long is forgotten.
        public var forgetAfter: Int
        /// Keys kept per map (emails, addresses).
        public var maxKeys: Int

        public init(freeFailures: Int = 5, maxWait: Int = 900, forgetAfter: Int = 3600, maxKeys: Int = 10_000) {
            self.freeFailures = freeFailures
            self.maxWait = maxWait
            self.forgetAfter = forgetAfter
            self.maxKeys = maxKeys
        }
    }

    struct Entry: Sendable, Equatable {
        var failures: Int
        var lastFailure: Int
        var blockedUntil: Int
    }

    public let rules: Rules
    private(set) var emails: [String: Entry] = [:]
    private(set) var addresses: [String: Entry] = [:]

    public init(rules: Rules = Rules()) {
        self.rules = rules
    }

    /// Seconds to wait before this email may be tried from this address; 0 when it may now.
    public func wait(email: String, address: String, now: Int) -> Int {
        let keys = [emails[Self.normalized(email)], addresses[address]]
        return keys.compactMap { $0 }.map { max(0, $0.blockedUntil - now) }.max() ?? 0
    }

    public mutating func recordFailure(email: String, address: String, now: Int) {
        Self.fail(&emails, key: Self.normalized(email), now: now, rules: rules)
        Self.fail(&addresses, key: address, now: now, rules: rules)
    }

    /// A successful login clears its email's failures (not the address's: one right password
    /// must not reset the count of guesses at other accounts).
    public mutating func recordSuccess(email: String) {
        emails[Self.normalized(email)] = nil
    }

    private static func fail(_ map: inout [String: Entry], key: String, now: Int, rules: Rules) {
        var entry = map[key] ?? Entry(failures: 0, lastFailure: now, blockedUntil: 0)
        if now - entry.lastFailure >= rules.forgetAfter {
            entry = Entry(failures: 0, lastFailure: now, blockedUntil: 0)
        }
        entry.failures += 1
        entry.lastFailure = now
        let over = entry.failures - rules.freeFailures
        if over >= 0 {
            let wait = over >= 20 ? rules.maxWait : min(rules.maxWait, 1 << over)
            entry.blockedUntil = now + wait
        }
        if map[key] == nil, map.count >= rules.maxKeys { evict(&map, now: now, rules: rules) }
        map[key] = entry
    }

    /// Drops forgotten keys; when none is, the one with the oldest failure.
    private static func evict(_ map: inout [String: Entry], now: Int, rules: Rules) {
        let before = map.count
        map = map.filter { now - $0.value.lastFailure < rules.forgetAfter }
        if map.count < before { return }
        if let oldest = map.min(by: { $0.value.lastFailure < $1.value.lastFailure }) { map[oldest.key] = nil }
    }

    static func normalized(_ email: String) -> String {
        String(email.lowercased().prefix(254))
    }
}
