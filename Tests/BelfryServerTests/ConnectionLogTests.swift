import BelfryEpoll
import Logging
import Testing

@testable import BelfryServer

/// The connection lines: written straight into the log buffer they are the same lines the
/// logger writes from their metadata, in both formats, with hostile values too; with another
/// handler they go through the logger; above `info` they are not written.
@Suite struct ConnectionLogTests {
    static let connected = ConnectionLog.Connected(
        app: "chat \"prod\"", appID: "app-1", socketID: "123.456", remote: "127.0.0.1:5000",
        origin: "https://x.example\n{\"level\":\"error\"}", protocolVersion: "7", client: "js 8.4.0")
    static let disconnected = ConnectionLog.Disconnected(
        app: "chat", appID: "app-1", socketID: "123.456", code: 4201, durationMs: -1)

    @Test(arguments: [LogLine.Format.json, .text])
    func theDirectLinesAreTheLoggersLines(_ format: LogLine.Format) {
        func both<L: ConnectionLog.Line>(_ line: L) -> (direct: String, logger: String) {
            var direct: [UInt8] = []
            ConnectionLog.render(format, unixMilliseconds: 1_796_077_872_119, line, into: &direct)
            let logger = LogLine.render(
                format, unixMilliseconds: 1_796_077_872_119, level: .info, message: L.message, fields: line.fields)
            return (String(decoding: direct, as: UTF8.self), String(decoding: logger, as: UTF8.self))
        }
        let connected = both(Self.connected)
        #expect(connected.direct == connected.logger)
        #expect(connected.direct.contains("socket_id"))
        let disconnected = both(Self.disconnected)
        #expect(disconnected.direct == disconnected.logger)
        #expect(disconnected.direct.contains("4201"))
    }

    @Test func throughALineHandlerTheyGoToItsOutputAtTheEndOfTheTick() throws {
        let loop = try EpollLoop(name: "test-connlog")
        defer { loop.shutdownGracefully { _ in } }
        let pipe = LogOutputTests.Pipe()
        let handler = LineLogHandler(format: .json, output: LogOutput(descriptor: pipe.write))
        let log = ConnectionLog(Logger(label: "test") { _ in handler })
        try loop.submit {
            log.connected(Self.connected)
            log.disconnected(Self.disconnected)
        }.wait()
        try loop.submit {}.wait()
        let lines = pipe.drain().split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains(#""msg":"connected""#) == true)
        #expect(lines.last?.contains(#""msg":"disconnected","app":"chat","app_id":"app-1","code":4201"#) == true)
    }

    @Test func withAnotherHandlerTheyGoThroughTheLogger() {
        let records = Records()
        let log = ConnectionLog(Logger(label: "test") { _ in RecordingHandler(records: records) })
        log.connected(Self.connected)
        log.disconnected(Self.disconnected)
        let got = records.all
        #expect(got.map(\.message) == ["connected", "disconnected"])
        #expect(got.first?.metadata == Self.connected.fields.mapValues(\.description))
        #expect(got.last?.metadata["duration_ms"] == "-1")
    }

    @Test func aboveInfoNothingIsWrittenNorMade() {
        let records = Records()
        var logger = Logger(label: "test") { _ in RecordingHandler(records: records) }
        logger.logLevel = .warning
        let log = ConnectionLog(logger)
        var made = 0
        func line() -> ConnectionLog.Connected {
            made += 1
            return Self.connected
        }
        log.connected(line())
        #expect(records.all.isEmpty)
        #expect(made == 0)
    }

    final class Records: @unchecked Sendable {
        private var lines: [(message: String, metadata: [String: String])] = []
        var all: [(message: String, metadata: [String: String])] { lines }
        func add(_ message: String, _ metadata: [String: String]) { lines.append((message, metadata)) }
    }

    struct RecordingHandler: LogHandler {
        let records: Records
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            records.add(event.message.description, (event.metadata ?? [:]).mapValues(\.description))
        }
    }
}
