import NIOConcurrencyHelpers

/// `maxConnectionsPerAddress` and `connectionsPerSecondPerAddress` for every app: an
/// `AddressTable` per stripe, each behind its own lock, so handshakes from different addresses
/// rarely contend. Memory is bounded by `stripes * capacity` idle addresses (plus one entry per
/// address that has a connection open, which the descriptor budget bounds).
final class AddressLimiter: Sendable {
    private let stripes: [NIOLockedValueBox<AddressTable>]

    init(stripes: Int = 16, capacityPerStripe: Int = 4096) {
        self.stripes = (0..<max(stripes, 1)).map { _ in NIOLockedValueBox(AddressTable(capacity: capacityPerStripe)) }
    }

    /// The table key of an address for an app.
    static func key(appID: String, address: String) -> String { appID + " " + address }

    func admit(_ key: String, maxConnections: Int?, ratePerSecond: Int?, now: UInt64) -> AddressTable.Decision {
        stripe(key).withLockedValue {
            $0.admit(key, maxConnections: maxConnections, ratePerSecond: ratePerSecond, now: now)
        }
    }

    func release(_ key: String, now: UInt64) {
        stripe(key).withLockedValue { $0.release(key, now: now) }
    }

    /// Addresses remembered, all stripes together (for tests).
    var count: Int { stripes.reduce(0) { $0 + $1.withLockedValue { $0.entries.count } } }

    private func stripe(_ key: String) -> NIOLockedValueBox<AddressTable> {
        stripes[Int(UInt(bitPattern: key.hashValue) % UInt(stripes.count))]
    }
}
