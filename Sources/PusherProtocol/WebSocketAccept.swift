import Crypto

/// The server's half of the WebSocket opening handshake (RFC 6455 §4.2.2). On every connection,
/// so without Foundation's `Data` and its base64 (two to four allocations each way).
public enum WebSocketAccept {
    /// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
    public static func value(forKey key: some StringProtocol) -> String {
        String(unsafeUninitializedCapacity: length) { write(forKey: key, into: UnsafeMutableRawBufferPointer($0)) }
    }

    /// The length of every accept value: the base64 of a 20-byte SHA-1.
    public static let length = 28

    /// Writes the accept value for `key` into the first `length` bytes of `target` (a response
    /// being made), without a string of its own; returns `length`.
    @discardableResult
    public static func write(forKey key: some StringProtocol, into target: UnsafeMutableRawBufferPointer) -> Int {
        var hash = Insecure.SHA1()
        if key.utf8.withContiguousStorageIfAvailable({ hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }) == nil
        {
            Array(key.utf8).withUnsafeBytes { hash.update(bufferPointer: $0) }
        }
        guid.withUTF8Buffer { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hash.finalize().withUnsafeBytes { base64($0, into: target) }
    }

    private static let guid: StaticString = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// A key is acceptable when it is the base64 encoding of 16 bytes (§4.1): 22 characters of the
    /// alphabet and `==`, as Foundation's `Data(base64Encoded:)` decodes to 16 bytes (which does
    /// not ask for the unused bits of the last character to be zero either).
    public static func isValidKey(_ key: some StringProtocol) -> Bool {
        key.utf8.withContiguousStorageIfAvailable(isValidKey)
            ?? Array(key.utf8).withUnsafeBufferPointer(isValidKey)
    }

    private static func isValidKey(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 24 && bytes[22] == UInt8(ascii: "=") && bytes[23] == UInt8(ascii: "=")
            && bytes[..<22].allSatisfy(isAlphabet)
    }

    private static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            true
        default: false
        }
    }

    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// Standard base64 with `=` padding (RFC 4648 §4).
    static func base64(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: (bytes.count + 2) / 3 * 4) {
            base64(bytes, into: UnsafeMutableRawBufferPointer($0))
        }
    }

    /// Writes the base64 of `bytes` at the start of `out` (room for `(count + 2) / 3 * 4` bytes);
    /// returns how many bytes it wrote.
    static func base64(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        alphabet.withUTF8Buffer { table in
            var written = 0
            var index = 0
            while index < bytes.count {
                let rest = bytes.count - index
                let b0 = UInt32(bytes[index])
                let b1 = rest > 1 ? UInt32(bytes[index + 1]) : 0
                let b2 = rest > 2 ? UInt32(bytes[index + 2]) : 0
                let group = b0 << 16 | b1 << 8 | b2
                out[written] = table[Int(group >> 18 & 63)]
                out[written + 1] = table[Int(group >> 12 & 63)]
                out[written + 2] = rest > 1 ? table[Int(group >> 6 & 63)] : UInt8(ascii: "=")
                out[written + 3] = rest > 2 ? table[Int(group & 63)] : UInt8(ascii: "=")
                written += 4
                index += 3
            }
            return written
        }
    }
}
