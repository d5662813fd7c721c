import BelfryJSON
import Logging
import PusherProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// One log record as one line: readable `key=value` text or one JSON object, with the fields in
/// key order. Pure: the time is given, and the caller writes the bytes (`LogLine.write`).
///
/// A connection's `connected` and `disconnected` lines are on the connect path, so JSON lines are
/// built as bytes without Foundation (its ISO 8601 formatter alone cost more than the rest of
/// the line).
public enum LogLine {
    public enum Format: Sendable { case text, json }

    /// Appends the line, newline included, to `line` (a loop's buffer of lines: `LogOutput`).
    public static func render(
        _ format: Format, unixMilliseconds: Int64, level: Logger.Level, message: String, fields: Logger.Metadata,
        into line: inout [UInt8]
    ) {
        appendHead(format, unixMilliseconds: unixMilliseconds, level: level, message: message, to: &line)
        // Sorted as (key, value) pairs, in place on the stack: no array, and no second look-up
        // (and hash) per key.
        withUnsafeTemporaryAllocation(of: (key: String, value: Logger.MetadataValue).self, capacity: fields.count) {
            pairs in
            var sorted = UnsafeMutableBufferPointer(rebasing: pairs[..<pairs.initialize(fromContentsOf: fields)])
            defer { sorted.deinitialize() }
            sorted.sort { $0.key < $1.key }
            for (key, value) in sorted { appendField(format, key, value, to: &line) }
        }
        appendTail(format, to: &line)
    }

    // A line is its head, its fields in key order, and its tail. `render` and the connection
    // lines (`ConnectionLog`, written without a metadata dictionary) are made of the same parts.

    /// The start of a line: the time, the level and the message.
    static func appendHead(
        _ format: Format, unixMilliseconds: Int64, level: Logger.Level, message: String, to line: inout [UInt8]
    ) {
        switch format {
        case .text:
            appendTime(unixMilliseconds, to: &line)
            line.append(0x20)
            line += level.rawValue.uppercased().utf8
            line.append(0x20)
            line += LogText.escaped(message).utf8
        case .json:
            line += #"{"time":""#.utf8
            appendTime(unixMilliseconds, to: &line)
            line += #"","level":"#.utf8
            JSONText.appendQuoted(level.rawValue, to: &line)
            line += #","msg":"#.utf8
            JSONText.appendQuoted(message, to: &line)
        }
    }

    /// One field, after the head and the fields whose keys sort before it.
    static func appendField(_ format: Format, _ key: String, _ value: Logger.MetadataValue, to line: inout [UInt8]) {
        switch format {
        case .text: line += " \(LogText.escaped(key))=\(LogText.value("\(value)"))".utf8
        case .json:
            appendJSONKey(key, to: &line)
            appendJSON(value, to: &line)
        }
    }

    /// A string field (as `.string(value)`).
    static func appendField(_ format: Format, _ key: String, string value: String, to line: inout [UInt8]) {
        switch format {
        case .text: line += " \(LogText.escaped(key))=\(LogText.value(value))".utf8
        case .json:
            appendJSONKey(key, to: &line)
            JSONText.appendQuoted(value, to: &line)
        }
    }

    /// A number field (as `LogFields.number(value)`).
    static func appendField(_ format: Format, _ key: String, int value: Int, to line: inout [UInt8]) {
        switch format {
        case .text: line += " \(LogText.escaped(key))=\(value)".utf8
        case .json:
            appendJSONKey(key, to: &line)
            line += "\(value)".utf8
        }
    }

    /// The end of a line, newline included.
    static func appendTail(_ format: Format, to line: inout [UInt8]) {
        if format == .json { line.append(UInt8(ascii: "}")) }
        line.append(0x0A)
    }

    private static func appendJSONKey(_ key: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: ","))
        JSONText.appendQuoted(key, to: &line)
        line.append(UInt8(ascii: ":"))
    }

    /// A metadata value as JSON: numbers and booleans given as such (`.stringConvertible`) bare,
    /// strings quoted, arrays and dictionaries as JSON arrays and objects (keys in order).
    static func appendJSON(_ value: Logger.MetadataValue, to line: inout [UInt8]) {
        switch value {
        case .string(let text):
            JSONText.appendQuoted(text, to: &line)
        case .stringConvertible(let convertible):
            switch convertible {
            // `LogFields.number` gives an Int: the common case, before the existential cast.
            case let integer as Int: line += "\(integer)".utf8
            case let flag as Bool: line += (flag ? "true" : "false").utf8
            case let integer as any BinaryInteger: line += "\(integer)".utf8
            case let number as Double where number.isFinite: line += "\(number)".utf8
            default: JSONText.appendQuoted(convertible.description, to: &line)
            }
        case .array(let items):
            line.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                appendJSON(item, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let members):
            line.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(key, to: &line)
                line.append(UInt8(ascii: ":"))
                appendJSON(members[key]!, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        }
    }

    /// UTC `2026-11-30T20:54:32.119` (the format the logs have always had).
    static func appendTime(_ unixMilliseconds: Int64, to line: inout [UInt8]) {
        let (seconds, millis) = unixMilliseconds.quotientAndRemainder(dividingBy: 1000)
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = UTCTime.civil(days: Int(days))
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                line.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int64(year), 4)
        line.append(UInt8(ascii: "-"))
        digits(Int64(month), 2)
        line.append(UInt8(ascii: "-"))
        digits(Int64(day), 2)
        line.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        line.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        line.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        line.append(UInt8(ascii: "."))
        digits(millis, 3)
    }

    /// Milliseconds since 1970 from the wall clock.
    public static var nowUnixMilliseconds: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Writes the whole line to `descriptor` with `write(2)` (one call for a line, as each line
    /// is written at once by whichever thread logs it); a failed write is dropped.
    public static func write(_ line: [UInt8], to descriptor: Int32) {
        line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

/// Text log lines that a client cannot forge: control characters are escaped (a `\n` in an
/// event name cannot start a fake line) and a value with a space, `"` or `=` is quoted, so
/// `key=value` pairs always parse back.
public enum LogText {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default:
                if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar.value == 0x2028
                    || scalar.value == 0x2029
                {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    public static func value(_ text: String) -> String {
        let escaped = escaped(text)
        let plain =
            !text.isEmpty && escaped == text
            && !text.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" }
        return plain ? text : "\"" + escaped + "\""
    }
}
