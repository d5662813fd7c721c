/// The `@T<16 digits>` send timestamp embedded in every published payload: written by the
/// publisher, found again in received frames by a byte scan (no JSON parsing on the hot path).
public enum TimestampScanner {
    static let digits = 16

    /// `@T` followed by `micros` as 16 zero-padded decimal digits.
    public static func marker(_ micros: UInt64) -> String {
        let text = String(micros)
        return "@T" + String(repeating: "0", count: Swift.max(0, digits - text.count)) + text
    }

    /// The first complete marker's value in `bytes`, or nil when there is none.
    public static func scan(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        let n = bytes.count
        guard n >= digits + 2 else { return nil }
        var i = 0
        while i <= n - digits - 2 {
            if bytes[i] == UInt8(ascii: "@") && bytes[i + 1] == UInt8(ascii: "T") {
                var value: UInt64 = 0
                var ok = true
                for k in 0..<digits {
                    let d = bytes[i + 2 + k] &- UInt8(ascii: "0")
                    if d > 9 {
                        ok = false
                        break
                    }
                    value = value &* 10 &+ UInt64(d)
                }
                if ok { return value }
            }
            i += 1
        }
        return nil
    }

    /// Convenience for tests and small inputs.
    public static func scan(_ bytes: [UInt8]) -> UInt64? { bytes.withUnsafeBytes { scan($0) } }
}
