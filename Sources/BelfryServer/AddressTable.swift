import PusherProtocol

/// Per-address connection counts and handshake buckets of one stripe of `AddressLimiter`: pure,
/// O(1) per check, bounded in memory. Past `capacity` entries it first forgets addresses with
/// no open connection whose bucket is full again (they remember nothing), then, if an attacker
/// rotating addresses keeps it full, an eighth of the idle ones: their rate history is lost
/// (they may connect again at once), never the count of connections still open.
struct AddressTable {
    struct Entry: Equatable {
        var open = 0
        var bucket: TokenBucket?
    }

    enum Decision: Equatable {
        case admitted
        /// `maxConnectionsPerAddress` connections are already open from the address.
        case tooManyConnections(limit: Int)
        /// Over `connectionsPerSecondPerAddress`; retry after that many seconds.
        case tooFast(limit: Int, retryAfter: Int)
    }

    let capacity: Int
    private(set) var entries: [String: Entry] = [:]

    init(capacity: Int) {
        self.capacity = max(capacity, 8)
    }

    /// Admits one more connection from `key` (app and address) unless a limit says no; an
    /// admitted one must be `release`d when it closes.
    mutating func admit(_ key: String, maxConnections: Int?, ratePerSecond: Int?, now: UInt64) -> Decision {
        if entries[key] == nil { makeRoom(now: now) }
        var entry = entries[key] ?? Entry()
        defer { entries[key] = entry }
        if let maxConnections, entry.open >= maxConnections { return .tooManyConnections(limit: maxConnections) }
        if let rate = ratePerSecond {
            var bucket =
                entry.bucket.map {
                    $0.ratePerSecond == rate ? $0 : $0.resized(ratePerSecond: rate, now: now)
                } ?? TokenBucket(ratePerSecond: rate, now: now)
            let taken = bucket.take(now: now)
            entry.bucket = bucket
            guard taken else { return .tooFast(limit: rate, retryAfter: bucket.retryAfterSeconds()) }
        } else {
            entry.bucket = nil
        }
        entry.open += 1
        return .admitted
    }

    /// One connection of `key` closed.
    mutating func release(_ key: String, now: UInt64) {
        guard var entry = entries[key] else { return }
        entry.open = max(entry.open - 1, 0)
        if entry.open == 0, entry.bucket.map({ $0.isFull(now: now) }) ?? true {
            entries[key] = nil
        } else {
            entries[key] = entry
        }
    }

    private mutating func makeRoom(now: UInt64) {
        guard entries.count >= capacity else { return }
        entries = entries.filter { $0.value.open > 0 || !($0.value.bucket?.isFull(now: now) ?? true) }
        guard entries.count >= capacity else { return }
        var budget = capacity / 8
        entries = entries.filter { _, entry in
            guard entry.open == 0, budget > 0 else { return true }
            budget -= 1
            return false
        }
    }
}
