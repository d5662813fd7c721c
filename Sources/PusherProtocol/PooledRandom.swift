import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The system CSPRNG read 4 KiB at a time: the same source as `SystemRandomNumberGenerator`
/// (`getrandom(2)`), with one call per 512 draws instead of one per draw. A socket id takes two
/// draws on every connect, and the system call was most of its cost.
///
/// Thread-safe (one lock around the pool); bytes are handed out once and never reused.
public final class PooledRandom: Sendable {
    public static let shared = PooledRandom()

    private struct Pool {
        var words: [UInt64]
        var next: Int
    }

    private let pool: Mutex<Pool>
    private let size: Int

    /// `size` words are drawn from the system generator at a time.
    public init(size: Int = 512) {
        precondition(size > 0)
        self.size = size
        pool = Mutex(Pool(words: [], next: 0))
    }

    public func next() -> UInt64 {
        pool.withLock { pool in
            if pool.next == pool.words.count {
                pool.words = Self.systemWords(size)
                pool.next = 0
            }
            defer { pool.next += 1 }
            return pool.words[pool.next]
        }
    }

    /// `count` words from the kernel's CSPRNG in one call (`arc4random_buf`, which glibc 2.36
    /// implements with `getrandom(2)` and which never returns short).
    static func systemWords(_ count: Int) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: count)
        words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
        return words
    }

    /// A `RandomNumberGenerator` over the pool, for `random(in:using:)`.
    public struct Generator: RandomNumberGenerator {
        let source: PooledRandom
        public mutating func next() -> UInt64 { source.next() }
    }

    public var generator: Generator { Generator(source: self) }
}
