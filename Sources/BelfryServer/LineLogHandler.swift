import Logging

/// The server's log handler: each record as one line with the same field names everywhere
/// (`app`, `socket_id`, …), rendered by `LogLine` to stderr through `LogOutput` (a loop's `info`
/// lines are written once per tick). A server logging through it writes its connections'
/// `connected` and `disconnected` lines without the metadata dictionary (`ConnectionLog`).
public struct LineLogHandler: LogHandler {
    public let format: LogLine.Format
    /// Where the lines go: stderr for the server.
    public let output: LogOutput
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(format: LogLine.Format, output: LogOutput = .standardError) {
        self.format = format
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = event.metadata ?? [:]
        if !metadata.isEmpty { fields.merge(metadata) { record, _ in record } }
        let now = LogLine.nowUnixMilliseconds
        output.write(urgent: event.level >= .warning) {
            LogLine.render(
                format, unixMilliseconds: now, level: event.level, message: event.message.description, fields: fields,
                into: &$0)
        }
    }
}
