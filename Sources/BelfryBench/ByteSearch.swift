/// Substring search over raw frame bytes, so handshake frames are recognised without decoding them.
enum ByteSearch {
    /// Whether `needle` occurs in `haystack`.
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        let n = haystack.count
        let m = needle.count
        guard m > 0, n >= m else { return m == 0 }
        let first = needle[0]
        var i = 0
        outer: while i <= n - m {
            if haystack[i] == first {
                for k in 1..<m where haystack[i + k] != needle[k] {
                    i += 1
                    continue outer
                }
                return true
            }
            i += 1
        }
        return false
    }
}
