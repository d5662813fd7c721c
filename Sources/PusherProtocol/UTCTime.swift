/// Unix seconds as ISO 8601 UTC text, without Foundation (the protocol module does no I/O).
public enum UTCTime {
    /// `2013-09-29T08:46:33Z` for 1380444393; any `Int`, including times before 1970.
    public static func iso8601(_ seconds: Int) -> String {
        let (days, second) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(days: days)
        let time = [second / 3600, second % 3600 / 60, second % 60].map(twoDigits).joined(separator: ":")
        let yearText = year < 0 ? "-" + padded(-year, 4) : padded(year, 4)
        return "\(yearText)-\(twoDigits(month))-\(twoDigits(day))T\(time)Z"
    }

    /// Year, month and day of a count of days since 1970-01-01 in the proleptic Gregorian
    /// calendar (Howard Hinnant's `civil_from_days`).
    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let (era, dayOfEra) = floorDivide(shifted, 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ a: Int, _ b: Int) -> (Int, Int) {
        let remainder = a % b
        return remainder < 0 ? (a / b - 1, remainder + b) : (a / b, remainder)
    }

    private static func twoDigits(_ n: Int) -> String { padded(n, 2) }

    private static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
