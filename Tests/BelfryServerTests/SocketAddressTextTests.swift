import NIOCore
import Testing

@testable import BelfryServer

/// `ipText` writes IPv4 addresses itself: it must give exactly what NIO's `ipAddress` gives.
@Suite struct SocketAddressTextTests {
    static func v4(_ value: UInt32) throws -> SocketAddress {
        let octets = [24, 16, 8, 0].map { String(UInt8(truncatingIfNeeded: value >> $0)) }
        return try SocketAddress(ipAddress: octets.joined(separator: "."), port: 443)
    }

    @Test(
        arguments: [0, 1, 9, 10, 99, 100, 255, 0x7F00_0001, 0x0A00_0001, 0xC0A8_6401, 0x6440_0A0A, 0xFFFF_FFFF]
            as [UInt32])
    func edgesAreWrittenAsNIOWritesThem(value: UInt32) throws {
        let address = try Self.v4(value)
        #expect(address.ipText == address.ipAddress)
    }

    @Test func randomAddressesAreWrittenAsNIOWritesThem() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let address = try Self.v4(UInt32.random(in: .min ... .max, using: &generator))
            #expect(address.ipText == address.ipAddress)
        }
    }

    @Test func ipv6GoesThroughNIO() throws {
        for text in ["::1", "2001:db8::8a2e:370:7334", "::ffff:10.0.0.1"] {
            let address = try SocketAddress(ipAddress: text, port: 443)
            #expect(address.ipText == address.ipAddress)
        }
    }
}
