import Logging

/// The two lines every connection logs, `connected` and `disconnected`: the only log lines on
/// the connect path, so a reconnect storm writes two per client. When the server logs through
/// `LineLogHandler` (as `belfry serve` does), they are rendered straight into the loop's log
/// buffer, field by field in key order, without swift-log's metadata dictionary, its sort and
/// its record: about 40% of what opening a session cost (BENCHMARKS.md, issue 18's eleventh
/// step). With any other handler they go through the logger with the same fields, and
/// `ConnectionLogTests` checks that both ways write the same line.
struct ConnectionLog: Sendable {
    private let logger: Logger
    /// The line handler's format and output when the lines bypass the logger; nil otherwise.
    private let direct: (format: LogLine.Format, output: LogOutput)?
    private let enabled: Bool

    init(_ logger: Logger) {
        self.logger = logger
        enabled = logger.logLevel <= .info
        if let handler = logger.handler as? LineLogHandler, handler.metadata.isEmpty {
            direct = (handler.format, handler.output)
        } else {
            direct = nil
        }
    }

    /// A line's message and fields.
    protocol Line {
        static var message: String { get }
        /// The fields as the logger takes them.
        var fields: Logger.Metadata { get }
        /// The same fields in key order, as `LogLine.render` sorts `fields`.
        func append(_ format: LogLine.Format, to line: inout [UInt8])
    }

    struct Connected: Line {
        static let message = "connected"
        var app: String
        var appID: String
        var socketID: String
        var remote: String
        var origin: String
        var protocolVersion: String
        var client: String

        var fields: Logger.Metadata {
            [
                "app": .string(app), "app_id": .string(appID), "socket_id": .string(socketID),
                "remote": .string(remote),
                "origin": .string(origin), "protocol": .string(protocolVersion), "client": .string(client),
            ]
        }

        func append(_ format: LogLine.Format, to line: inout [UInt8]) {
            LogLine.appendField(format, "app", string: app, to: &line)
            LogLine.appendField(format, "app_id", string: appID, to: &line)
            LogLine.appendField(format, "client", string: client, to: &line)
            LogLine.appendField(format, "origin", string: origin, to: &line)
            LogLine.appendField(format, "protocol", string: protocolVersion, to: &line)
            LogLine.appendField(format, "remote", string: remote, to: &line)
            LogLine.appendField(format, "socket_id", string: socketID, to: &line)
        }
    }

    struct Disconnected: Line {
        static let message = "disconnected"
        var app: String
        var appID: String
        var socketID: String
        var code: Int
        var durationMs: Int

        var fields: Logger.Metadata {
            [
                "app": .string(app), "app_id": .string(appID), "socket_id": .string(socketID),
                "code": LogFields.number(code), "duration_ms": LogFields.number(durationMs),
            ]
        }

        func append(_ format: LogLine.Format, to line: inout [UInt8]) {
            LogLine.appendField(format, "app", string: app, to: &line)
            LogLine.appendField(format, "app_id", string: appID, to: &line)
            LogLine.appendField(format, "code", int: code, to: &line)
            LogLine.appendField(format, "duration_ms", int: durationMs, to: &line)
            LogLine.appendField(format, "socket_id", string: socketID, to: &line)
        }
    }

    /// The fields are only made when the line is written (`info` or below), as the logger's are.
    func connected(_ line: @autoclosure () -> Connected) {
        if enabled { write(line()) }
    }

    func disconnected(_ line: @autoclosure () -> Disconnected) {
        if enabled { write(line()) }
    }

    private func write<L: Line>(_ line: L) {
        guard let (format, output) = direct else {
            return logger.info("\(L.message)", metadata: line.fields)
        }
        let now = LogLine.nowUnixMilliseconds
        output.write(urgent: false) { Self.render(format, unixMilliseconds: now, line, into: &$0) }
    }

    /// The `info` line of `line`.
    static func render<L: Line>(_ format: LogLine.Format, unixMilliseconds: Int64, _ line: L, into bytes: inout [UInt8])
    {
        LogLine.appendHead(format, unixMilliseconds: unixMilliseconds, level: .info, message: L.message, to: &bytes)
        line.append(format, to: &bytes)
        LogLine.appendTail(format, to: &bytes)
    }
}
