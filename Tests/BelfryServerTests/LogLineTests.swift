import Foundation
import Logging
import Testing

@testable import BelfryServer

/// Log lines: the time format, key order, JSON values and text escaping.
@Suite struct LogLineTests {
    private func render(_ format: LogLine.Format, _ ms: Int64, _ fields: Logger.Metadata = [:]) -> String {
        String(
            decoding: LogLine.render(format, unixMilliseconds: ms, level: .info, message: "connected", fields: fields),
            as: UTF8.self)
    }

    @Test func timeIsUTCWithMillisecondsAsFoundationFormatsIt() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        // Leap days, year ends, the epoch and far dates, each checked against Foundation.
        let samples: [Int64] = [
            0, 951_782_400_123, 1_709_164_799_999, 1_735_689_599_001, 1_796_077_872_119, 4_102_444_800_000,
            253_402_300_799_999,
        ]
        for ms in samples {
            var bytes: [UInt8] = []
            LogLine.appendTime(ms, to: &bytes)
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
            #expect(String(decoding: bytes, as: UTF8.self) == expected.replacingOccurrences(of: "Z", with: ""))
        }
        var bytes: [UInt8] = []
        LogLine.appendTime(1_796_077_872_119, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "2026-11-30T22:31:12.119")
    }

    @Test func jsonLineHasFieldsInKeyOrderAndParses() throws {
        let line = render(
            .json, 0,
            [
                "socket_id": "1.2", "app": "chat", "code": .stringConvertible(4001), "ok": .stringConvertible(true),
                "ratio": .stringConvertible(0.5), "list": .array(["a", .stringConvertible(2)]),
                "nested": .dictionary(["z": "1", "a": "\"q\"\n"]),
            ])
        #expect(line.hasSuffix("}\n"))
        #expect(
            line
                == #"{"time":"1970-01-01T00:00:00.000","level":"info","msg":"connected","app":"chat","code":4001,"list":["a",2],"nested":{"a":"\"q\"\n","z":"1"},"ok":true,"ratio":0.5,"socket_id":"1.2"}"#
                + "\n")
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["code"] as? Int == 4001)
    }

    @Test func aClientCannotForgeALineInEitherFormat() {
        let evil: Logger.Metadata = ["event": "x\n{\"level\":\"error\"}", "k": "a b=c"]
        let json = render(.json, 0, evil)
        #expect(json.filter { $0 == "\n" }.count == 1)
        let text = render(.text, 0, evil)
        #expect(text.filter { $0 == "\n" }.count == 1)
        #expect(text == #"1970-01-01T00:00:00.000 INFO connected event="x\n{\"level\":\"error\"}" k="a b=c""# + "\n")
    }

    @Test func aLineRenderedIntoABufferFollowsWhatIsThere() {
        let fields: Logger.Metadata = ["b": "2", "a": .stringConvertible(1)]
        for format in [LogLine.Format.json, .text] {
            var buffer = Array("earlier line\n".utf8)
            LogLine.render(format, unixMilliseconds: 0, level: .info, message: "m", fields: fields, into: &buffer)
            let alone = LogLine.render(format, unixMilliseconds: 0, level: .info, message: "m", fields: fields)
            #expect(buffer == Array("earlier line\n".utf8) + alone)
        }
        // No fields at all (nothing to sort).
        #expect(render(.json, 0) == #"{"time":"1970-01-01T00:00:00.000","level":"info","msg":"connected"}"# + "\n")
    }
}

extension LogLine {
    /// The line alone, newline included (the server renders into a loop's buffer instead).
    static func render(
        _ format: Format, unixMilliseconds: Int64, level: Logger.Level, message: String, fields: Logger.Metadata
    ) -> [UInt8] {
        var line: [UInt8] = []
        render(format, unixMilliseconds: unixMilliseconds, level: level, message: message, fields: fields, into: &line)
        return line
    }
}
