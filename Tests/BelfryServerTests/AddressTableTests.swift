import BelfryTestSupport
import Testing

@testable import BelfryServer

@Suite struct AddressTableTests {
    @Test func countsOpenConnectionsPerAddress() {
        let clock = MockClock()
        var table = AddressTable(capacity: 64)
        for _ in 0..<3 { #expect(table.admit("a", maxConnections: 3, ratePerSecond: nil, now: clock.now) == .admitted) }
        #expect(
            table.admit("a", maxConnections: 3, ratePerSecond: nil, now: clock.now) == .tooManyConnections(limit: 3))
        #expect(table.admit("b", maxConnections: 3, ratePerSecond: nil, now: clock.now) == .admitted)
        table.release("a", now: clock.now)
        #expect(table.admit("a", maxConnections: 3, ratePerSecond: nil, now: clock.now) == .admitted)
    }

    @Test func limitsHandshakesPerSecondAndSaysWhenToRetry() {
        var clock = MockClock()
        var table = AddressTable(capacity: 64)
        for _ in 0..<2 { #expect(table.admit("a", maxConnections: nil, ratePerSecond: 2, now: clock.now) == .admitted) }
        #expect(
            table.admit("a", maxConnections: nil, ratePerSecond: 2, now: clock.now) == .tooFast(limit: 2, retryAfter: 1)
        )
        clock.advance(seconds: 0.5)
        #expect(table.admit("a", maxConnections: nil, ratePerSecond: 2, now: clock.now) == .admitted)
        // A raised limit applies from the next handshake on: time passing refills at the new rate.
        _ = table.admit("a", maxConnections: nil, ratePerSecond: 1000, now: clock.now)
        clock.advance(seconds: 0.01)
        #expect(table.admit("a", maxConnections: nil, ratePerSecond: 1000, now: clock.now) == .admitted)
    }

    @Test func anIdleAddressIsForgottenOnceItsBucketIsFull() {
        var clock = MockClock()
        var table = AddressTable(capacity: 64)
        _ = table.admit("a", maxConnections: 10, ratePerSecond: 5, now: clock.now)
        table.release("a", now: clock.now)
        #expect(table.entries["a"] != nil)  // its spent token is remembered
        _ = table.admit("a", maxConnections: 10, ratePerSecond: 5, now: clock.now)
        clock.advance(seconds: 1)
        table.release("a", now: clock.now)
        #expect(table.entries.isEmpty)
    }

    @Test func rotatingAddressesCannotGrowTheTablePastItsCapacity() {
        var clock = MockClock()
        var table = AddressTable(capacity: 256)
        for i in 0..<10_000 {
            let key = "10.0.\(i / 256).\(i % 256)"
            #expect(table.admit(key, maxConnections: 1000, ratePerSecond: 100, now: clock.now) == .admitted)
            table.release(key, now: clock.now)
            if i % 1000 == 0 { clock.advance(seconds: 0.001) }
        }
        #expect(table.entries.count <= 256)
    }

    @Test func evictionNeverForgetsAnAddressWithOpenConnections() {
        let clock = MockClock()
        var table = AddressTable(capacity: 16)
        for _ in 0..<2 { _ = table.admit("held", maxConnections: 2, ratePerSecond: 100, now: clock.now) }
        for i in 0..<1000 {
            _ = table.admit("x\(i)", maxConnections: 2, ratePerSecond: 100, now: clock.now)
            table.release("x\(i)", now: clock.now)
        }
        #expect(table.entries["held"]?.open == 2)
        #expect(
            table.admit("held", maxConnections: 2, ratePerSecond: 100, now: clock.now) == .tooManyConnections(limit: 2))
    }

    @Test func theStripedLimiterReleasesWhatItAdmitted() {
        let limiter = AddressLimiter(stripes: 4, capacityPerStripe: 16)
        let key = AddressLimiter.key(appID: "1001", address: "192.0.2.1")
        #expect(limiter.admit(key, maxConnections: 1, ratePerSecond: nil, now: 1) == .admitted)
        #expect(limiter.admit(key, maxConnections: 1, ratePerSecond: nil, now: 1) == .tooManyConnections(limit: 1))
        limiter.release(key, now: 2)
        #expect(limiter.count == 0)
    }
}
