import Dispatch
import PusherProtocol
import Synchronization
import Testing

@Suite struct PooledRandomTests {
    /// Across several refills no word comes out twice (64-bit words: a repeat would mean a pool
    /// handed out again, or a refill that did not happen).
    @Test func everyWordIsHandedOutOnce() {
        let pool = PooledRandom(size: 4)
        let words = (0..<40).map { _ in pool.next() }
        #expect(Set(words).count == 40)
    }

    /// Threads drawing at once never get the same word.
    @Test func concurrentDrawsAreDistinct() {
        let pool = PooledRandom(size: 16)
        let drawn = Mutex<[UInt64]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let mine = (0..<500).map { _ in pool.next() }
            drawn.withLock { $0 += mine }
        }
        let all = drawn.withLock { $0 }
        #expect(all.count == 4000)
        #expect(Set(all).count == 4000)
    }

    /// The system's bytes: about half the bits of many words are set (all-zero words, which a
    /// `getrandom` that filled nothing would leave, are far outside this).
    @Test func wordsLookRandom() {
        let pool = PooledRandom(size: 256)
        let ones = (0..<1024).reduce(0) { sum, _ in sum + pool.next().nonzeroBitCount }
        let bits = 1024 * 64
        #expect(abs(Double(ones) / Double(bits) - 0.5) < 0.02)
    }

    /// Socket ids drawn from the pool are valid and do not repeat.
    @Test func socketIDsFromThePool() {
        let ids = (0..<2000).map { _ in SocketID.generate() }
        #expect(ids.allSatisfy(SocketID.isValid))
        #expect(Set(ids).count == 2000)
    }
}
