import BelfryServer
import Logging

/// Log output: readable single lines (`text`) or one JSON object per line (`json`), on stderr.
enum LogFormat: String {
    case text
    case json

    static func handler(label: String, format: LogFormat, level: Logger.Level) -> LogHandler {
        var handler = LineLogHandler(format: format == .json ? .json : .text)
        handler.logLevel = level
        return handler
    }
}

/// Writes each record as one line with the same field names everywhere (`app`, `socket_id`, …),
/// rendered by `LogLine`, to stderr through `LogOutput` (a loop's `info` lines are written
/// once per tick).
struct LineLogHandler: LogHandler {
    let format: LogLine.Format
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = event.metadata ?? [:]
        if !metadata.isEmpty { fields.merge(metadata) { record, _ in record } }
        let now = LogLine.nowUnixMilliseconds
        LogOutput.standardError.write(urgent: event.level >= .warning) {
            LogLine.render(
                format, unixMilliseconds: now, level: event.level, message: event.message.description, fields: fields,
                into: &$0)
        }
    }
}
