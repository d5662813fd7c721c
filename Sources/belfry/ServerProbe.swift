import Foundation
import Synchronization

/// This process's resources as the status page shows them, read from `/proc/self` (Linux).
final class ServerProbe: Sendable {
    struct Reading: Sendable, Equatable {
        var residentBytes: Int?
        /// Percent of one core since the previous reading (nil on the first).
        var cpuPercent: Double?
        var openFiles: Int?
        var fileLimit: Int?
    }

    /// The previous CPU reading: (seconds of CPU time, wall time).
    private let last = Mutex<(cpu: Double, wall: Double)?>(nil)

    func read() -> Reading {
        let wall = Date().timeIntervalSince1970
        var reading = Reading(residentBytes: Self.residentBytes(), openFiles: Self.openFiles(), fileLimit: Self.limit())
        if let cpu = Self.cpuSeconds() {
            reading.cpuPercent = last.withLock { previous in
                defer { previous = (cpu, wall) }
                guard let previous, wall - previous.wall >= 0.5 else { return nil }
                return max(0, (cpu - previous.cpu) / (wall - previous.wall) * 100)
            }
        }
        return reading
    }

    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// utime + stime of `/proc/self/stat`, in seconds.
    static func cpuSeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func openFiles() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).map(\.count)
    }

    static func limit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return Int(limit.rlim_cur)
    }
}
