#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the server's RSS and CPU time from /proc (Linux); missing files give nil.
struct ProcSampler: Sendable {
    let pid: Int32

    func rssKilobytes() -> Int? { read("status").flatMap(ProcStat.rssKilobytes(status:)) }

    func cpuSeconds() -> Double? {
        guard let ticks = read("stat").flatMap(ProcStat.cpuTicks(stat:)) else { return nil }
        let hz = sysconf(Int32(_SC_CLK_TCK))
        return Double(ticks) / Double(hz > 0 ? hz : 100)
    }

    private func read(_ name: String) -> String? {
        guard let file = fopen("/proc/\(pid)/\(name)", "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
