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
