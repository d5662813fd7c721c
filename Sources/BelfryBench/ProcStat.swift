/// Parsers for the two /proc files the server is sampled from; pure, so they test on given text.
public enum ProcStat {
    /// `VmRSS` in kB from /proc/PID/status text.
    public static func rssKilobytes(status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" })
            return fields.first.flatMap { Int($0) }
        }
        return nil
    }

    /// utime + stime in clock ticks from /proc/PID/stat text. The comm field (2) may hold spaces
    /// and parentheses, so fields are counted after the last `)`: state is field 3, utime 14, stime 15.
    public static func cpuTicks(stat: String) -> Int? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        // fields[0] is state (field 3), so field k is fields[k - 3].
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}
