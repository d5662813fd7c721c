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
            line = "\(time) \(event.level.rawValue.uppercased()) \(event.message)"
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        case .json:
            line =
                "{\"time\":\(quote(time)),\"level\":\(quote(event.level.rawValue)),\"msg\":\(quote("\(event.message)"))"
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) { line += ",\(quote(key)):\(quote("\(value)"))" }
            line += "}"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private func quote(_ s: String) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes]))
            ?? Data("[\"\"]".utf8)
        let text = String(decoding: data, as: UTF8.self)
        return String(text.dropFirst().dropLast())
    }
}
