/// Socket ids: `<digits>.<digits>`, drawn from the system CSPRNG so they cannot be guessed
/// (a socket id is part of every channel signature).
public enum SocketID {
    /// A fresh random socket id, from the system CSPRNG's bytes (read a pool at a time).
    public static func generate() -> String {
        var rng = PooledRandom.shared.generator
        return generate(using: &rng)
    }

    public static func generate(using rng: inout some RandomNumberGenerator) -> String {
        let high = UInt64.random(in: 1...9_999_999_999, using: &rng)
        let low = UInt64.random(in: 1...9_999_999_999, using: &rng)
        return "\(high).\(low)"
    }

    /// Matches `^\d+\.\d+$`, the format the Pusher SDKs check.
    public static func isValid(_ s: String) -> Bool {
        let parts = s.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 2, s.utf8.count <= 64 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { (0x30...0x39).contains($0) } }
    }
}
