import BelfryStore
import Foundation
import Testing

@Suite struct StatsReportTests {
    /// Two hours of one app: a quiet 22:00 and a busy 23:00 with a reason that needs CSV quoting.
    static let report: StatsReport = {
        var first = StatsRow(periodStart: statsHour0)
        first.peakConnections = 3
        first.connectionSampleSum = 5
        first.connectionSamples = 2
        first.newConnections = 4
        first.disconnections = ["4003": 1, "1000": 2]
        first.subscriptions = 6
        first.messagesReceived = 10
        first.messagesDelivered = 40
        first.apiRequests = ["POST /events 200": 3, "GET /channels 200": 1]
        first.bytesIn = 1234
        first.bytesOut = 4096
        first.peakChannels = 2
        var second = StatsRow(periodStart: statsMinute(60))
        second.peakConnections = 7
        second.connectionSampleSum = 7
        second.connectionSamples = 3
        second.newConnections = 5
        second.disconnections = ["1000": 1]
        second.subscriptions = 1
        second.messagesReceived = 2
        second.messagesDelivered = 3
        second.bytesIn = 100
        second.bytesOut = 2_000_000
        second.rejections = ["payload too large, \"big\"": 2]
        second.peakChannels = 1
        return StatsReport(app: "chat", from: statsHour0, to: statsMinute(120), by: .hour, rows: [first, second])
    }()

    @Test func totalsSumCountersAndKeepThePeaks() {
        let totals = Self.report.totals
        #expect(totals.periodStart == statsHour0)
        #expect(totals.newConnections == 9 && totals.bytesOut == 2_004_096)
        #expect(totals.peakConnections == 7 && totals.peakChannels == 2)
        #expect(totals.averageConnections == 2.4)
        #expect(totals.disconnections == ["1000": 3, "4003": 1])
        #expect(Self.report.peak == StatsReport.Peak(at: statsMinute(60), connections: 7, period: .hour))
    }

    @Test func table() {
        #expect(
            Self.report.renderTable() == """
                chat by hour, 2023-11-14T22:00:00Z to 2023-11-15T00:00:00Z
                period            peak   avg  new  closed  subs  recv  sent  api       in      out  rejected  channels
                2023-11-14 22:00     3  2.50    4       3     6    10    40    4  1.2 KiB  4.0 KiB         0         2
                2023-11-14 23:00     7  2.33    5       1     1     2     3    0    100 B  1.9 MiB         2         1
                total                7  2.40    9       4     7    12    43    4  1.3 KiB  1.9 MiB         2         2
                peak usage: 7 connections in the hour from 2023-11-14 23:00
                bandwidth: 1.3 KiB in (1334 bytes), 1.9 MiB out (2004096 bytes)
                disconnections: 1000: 3, 4003: 1
                api requests: GET /channels 200: 1, POST /events 200: 3
                rejections: payload too large, "big": 2
                webhooks: none

                """)
    }

    @Test func tableOfNothing() {
        let empty = StatsReport(app: "chat", from: statsHour0, to: statsMinute(1), by: .minute, rows: [])
        #expect(empty.renderTable() == "chat by minute, 2023-11-14T22:00:00Z to 2023-11-14T22:01:00Z\nno data\n")
        #expect(empty.renderCSV() == StatsReport.csvHeader.joined(separator: ",") + "\n")
    }

    @Test func peakLineNamesThePeriod() {
        var report = Self.report
        report.peak = StatsReport.Peak(at: statsMinute(73), connections: 8, period: .minute)
        #expect(report.renderTable().contains("\npeak usage: 8 connections at 2023-11-14 23:13\n"))
        report.peak = StatsReport.Peak(at: statsMinute(120), connections: 8, period: .day)
        #expect(report.renderTable().contains("\npeak usage: 8 connections on 2023-11-15\n"))
        report.peak = nil
        #expect(report.renderTable().contains("\npeak usage: no connections\n"))
    }

    @Test func csv() {
        #expect(
            Self.report.renderCSV() == """
                periodStart,peakConnections,averageConnections,newConnections,disconnections,subscriptions,\
                messagesReceived,messagesDelivered,apiRequests,bytesIn,bytesOut,rejections,peakChannels,webhooks
                2023-11-14T22:00:00Z,3,2.50,4,1000:2;4003:1,6,10,40,GET /channels 200:1;POST /events 200:3,\
                1234,4096,,2,
                2023-11-14T23:00:00Z,7,2.33,5,1000:1,1,2,3,,100,2000000,"payload too large, ""big"":2",1,

                """)
    }

    @Test func json() throws {
        let row1 = """
            {"periodStart":"2023-11-14T22:00:00Z","peakConnections":3,"averageConnections":2.50,"newConnections":4,\
            "disconnections":{"1000":2,"4003":1},"subscriptions":6,"messagesReceived":10,"messagesDelivered":40,\
            "apiRequests":{"GET /channels 200":1,"POST /events 200":3},"bytesIn":1234,"bytesOut":4096,\
            "rejections":{},"peakChannels":2,"webhooks":{}}
            """
        let row2 = """
            {"periodStart":"2023-11-14T23:00:00Z","peakConnections":7,"averageConnections":2.33,"newConnections":5,\
            "disconnections":{"1000":1},"subscriptions":1,"messagesReceived":2,"messagesDelivered":3,\
            "apiRequests":{},"bytesIn":100,"bytesOut":2000000,"rejections":{"payload too large, \\"big\\"":2},\
            "peakChannels":1,"webhooks":{}}
            """
        let totals = """
            {"peakConnections":7,"averageConnections":2.40,"newConnections":9,"disconnections":{"1000":3,"4003":1},\
            "subscriptions":7,"messagesReceived":12,"messagesDelivered":43,\
            "apiRequests":{"GET /channels 200":1,"POST /events 200":3},"bytesIn":1334,"bytesOut":2004096,\
            "rejections":{"payload too large, \\"big\\"":2},"peakChannels":2,"webhooks":{}}
            """
        let json = Self.report.renderJSON()
        #expect(
            json == """
                {"app":"chat","from":"2023-11-14T22:00:00Z","to":"2023-11-15T00:00:00Z","by":"hour",\
                "rows":[\(row1),\(row2)],"totals":\(totals),\
                "peak":{"at":"2023-11-14T23:00:00Z","connections":7,"period":"hour"}}

                """)

        let parsed = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(parsed["app"] as? String == "chat")
        let rows = try #require(parsed["rows"] as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows.last?["bytesOut"] as? Int == 2_000_000)
        #expect(rows.last?["rejections"] as? [String: Int] == ["payload too large, \"big\"": 2])
        #expect((rows.first?["averageConnections"] as? NSNumber)?.doubleValue == 2.5)
        let peak = try #require(parsed["peak"] as? [String: Any])
        #expect(peak["at"] as? String == "2023-11-14T23:00:00Z")
        #expect(peak["connections"] as? Int == 7)
    }

    @Test func jsonOfNothingHasANullPeak() throws {
        let empty = StatsReport(app: "a\"b\u{1}", from: statsHour0, to: statsMinute(1440), by: .day, rows: [])
        let json = empty.renderJSON()
        #expect(json.hasPrefix(#"{"app":"a\"b\u0001","#))
        #expect(json.hasSuffix(#","peak":null}"# + "\n"))
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(parsed["app"] as? String == "a\"b\u{1}")
        #expect((parsed["rows"] as? [Any])?.isEmpty == true)
        #expect(parsed["peak"] is NSNull)
    }
}
