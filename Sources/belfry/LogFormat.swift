import BelfryJSON
import Foundation
import Logging

/// Log output: readable single lines (`text`) or one JSON object per line (`json`), on stderr.
enum LogFormat: String {
    case text
    case json

    static func handler(label: String, format: LogFormat, level: Logger.Level) -> LogHandler {
        var handler = LineLogHandler(format: format)
        handler.logLevel = level
        return handler
    }
}

/// Writes each record as one line with the same field names everywhere (`app`, `socket_id`, …).
struct LineLogHandler: LogHandler {
    let format: LogFormat
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        var line: String
        switch format {
        case .text:
            line = "\(time) \(event.level.rawValue.uppercased()) \(LogText.escaped("\(event.message)"))"
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                line += " \(LogText.escaped(key))=\(LogText.value("\(value)"))"
            }
        case .json:
            line =
                "{\"time\":\(JSONText.quoted(time)),\"level\":\(JSONText.quoted(event.level.rawValue)),"
                + "\"msg\":\(JSONText.quoted("\(event.message)"))"
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                line += ",\(JSONText.quoted(key)):\(Self.json(value))"
            }
            line += "}"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A metadata value as JSON: numbers and booleans given as such (`.stringConvertible`) bare,
    /// strings quoted, arrays and dictionaries as JSON arrays and objects.
    static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text):
            return JSONText.quoted(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let flag as Bool: return flag ? "true" : "false"
            case let integer as any BinaryInteger: return "\(integer)"
            case let number as Double where number.isFinite: return "\(number)"
            default: return JSONText.quoted(convertible.description)
            }
        case .array(let items):
            return "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let members):
            return "{"
                + members.sorted { $0.key < $1.key }.map { JSONText.quoted($0.key) + ":" + json($0.value) }
                .joined(separator: ",") + "}"
        }
    }
}

/// Text log lines that a client cannot forge: control characters are escaped (a `\n` in an
/// event name cannot start a fake line) and a value with a space, `"` or `=` is quoted, so
/// `key=value` pairs always parse back.
enum LogText {
    static func escaped(_ text: String) -> String {
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

    static func value(_ text: String) -> String {
        let escaped = escaped(text)
        let plain =
            !text.isEmpty && escaped == text
            && !text.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" }
        return plain ? text : "\"" + escaped + "\""
    }
}
