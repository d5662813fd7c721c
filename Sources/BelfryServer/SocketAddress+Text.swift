import NIOCore

extension SocketAddress {
    /// The IP address as text, as `ipAddress` gives it. An IPv4 address is written out here: NIO
    /// asks `inet_ntop`, whose `sprintf` and buffer were about 1% of the user time of a
    /// connection's accept, upgrade and subscribe (BENCHMARKS.md, issue 18's twelfth step); at
    /// most 15 bytes, the text is a small string, so it allocates nothing. Others go through
    /// `ipAddress`.
    var ipText: String? {
        guard case .v4(let address) = self else { return ipAddress }
        let value = UInt32(bigEndian: address.address.sin_addr.s_addr)
        return String(unsafeUninitializedCapacity: 15) { text in
            var count = 0
            for shift in stride(from: UInt32(24), through: 0, by: -8) {
                if shift != 24 {
                    text[count] = UInt8(ascii: ".")
                    count += 1
                }
                let octet = UInt8(truncatingIfNeeded: value >> shift)
                if octet >= 100 {
                    text[count] = UInt8(ascii: "0") + octet / 100
                    count += 1
                }
                if octet >= 10 {
                    text[count] = UInt8(ascii: "0") + octet / 10 % 10
                    count += 1
                }
                text[count] = UInt8(ascii: "0") + octet % 10
                count += 1
            }
            return count
        }
    }
}
