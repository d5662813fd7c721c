import Foundation
import Testing

@testable import BelfryBench

@Suite struct BenchReportTests {
    func sample(server: Bool) -> BenchReport {
        var report = BenchReport()
        report.connections = 20
        report.channels = 2
        report.messages = 30
        report.ready = 20
        report.connTimeSeconds = 0.5
        report.published = 30
        report.pubOK = 30
        report.pubTimeSeconds = 0.25
        report.delivered = 300
        report.expected = 300
        report.deliverTimeSeconds = 0.3
        report.latP50Micros = 800
        report.latMaxMicros = 5000
        if server {
            var figures = ServerFigures()
            figures.rssKBStart = 10_000
            figures.rssKBReady = 10_100
            figures.cpuPubSeconds = 0.5
            report.server = figures
        }
        return report
    }

    @Test func jsonLineParsesWithKeysInOrder() throws {
        let line = sample(server: false).jsonLine()
        #expect(line.hasPrefix(#"{"tool":"belfry-bench","protocol":"pusher","connections":20,"channels":2,"#))
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for key in [
            "ready", "failed", "conn_time_s", "conn_rate", "published", "pub_ok", "pub_err", "pub_rps",
            "pub_lat_p50_us", "pub_lat_p99_us", "delivered", "expected", "lost", "min_per_conn", "deliver_rate",
            "lat_p50_us", "lat_p99_us", "lat_p999_us", "lat_max_us", "client_cpu_s", "srv_rss_per_conn_b",
        ] {
            #expect(object[key] != nil, "\(key)")
        }
        #expect(object["conn_rate"] as? Int == 40)
        #expect(object["pub_rps"] as? Int == 120)
        #expect(object["deliver_rate"] as? Int == 1000)
        #expect(object["lost"] as? Int == 0)
        #expect(object["srv_rss_kb_start"] is NSNull)
    }

    @Test func serverFiguresAreNumbersWhenSampled() throws {
        let line = sample(server: true).jsonLine()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["srv_rss_per_conn_b"] as? Int == 5120)
        #expect(object["srv_deliver_per_cpu_s"] as? Int == 600)
    }

    @Test func tableOmitsServerRowsWithoutPid() {
        #expect(!sample(server: false).table().contains("server RSS"))
        let table = sample(server: true).table()
        #expect(table.contains("server RSS per connection"))
        #expect(table.contains("delivered"))
    }

    @Test func successNeedsEverythingReadyPublishedAndDelivered() {
        #expect(sample(server: false).succeeded)
        var lost = sample(server: false)
        lost.delivered = 299
        #expect(!lost.succeeded)
        #expect(lost.lost == 1)
        var refused = sample(server: false)
        refused.pubOK = 0
        refused.pubErr = 30
        #expect(!refused.succeeded)
    }

    @Test func fixedFormatting() {
        #expect(1.23456.fixed(3) == "1.235")
        #expect(0.0.fixed(0) == "0")
        #expect((-2.5).fixed(1) == "-2.5")
        #expect(0.05.fixed(3) == "0.050")
    }

    @Test func aMissedRateIsNoted() {
        var report = BenchReport()
        report.messages = 3000
        report.rate = 1000
        report.pubOK = 3000
        report.pubTimeSeconds = 9.78
        #expect(report.rateShortfall == "requested 1000 msg/s, achieved 307: add --publishers or --depth")
        report.pubTimeSeconds = 3.1
        #expect(report.rateShortfall == nil)
        report.rate = 0
        report.pubTimeSeconds = 9.78
        #expect(report.rateShortfall == nil)
    }
}
