import Foundation

/// How the status page writes numbers, sizes, durations and times (UTC).
public enum Format {
    /// 1234567 → "1 234 567" (a thin space groups thousands in every locale).
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "\u{202F}" }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// 1536 → "1.5 KiB".
    public static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        if unit == 0 { return "\(value) B" }
        return String(format: amount < 10 ? "%.1f %@" : "%.0f %@", amount, units[unit])
    }

    /// 93784 → "1 d 2 h 3 min".
    public static func duration(seconds: Int) -> String {
        let s = max(0, seconds)
        let (d, h, m) = (s / 86400, s % 86400 / 3600, s % 3600 / 60)
        if d > 0 { return "\(d) d \(h) h \(m) min" }
        if h > 0 { return "\(h) h \(m) min" }
        if m > 0 { return "\(m) min \(s % 60) s" }
        return "\(s) s"
    }

    /// "2026-11-30 14:05:09" (UTC).
    public static func dateTime(_ date: Date) -> String { formatted(date, "yyyy-MM-dd HH:mm:ss") }

    /// "14:05" (UTC).
    public static func time(_ date: Date) -> String { formatted(date, "HH:mm") }

    /// "Nov 30" (UTC).
    public static func day(_ date: Date) -> String { formatted(date, "MMM d") }

    /// ISO 8601 for `<time datetime>`.
    public static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    private static func formatted(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
