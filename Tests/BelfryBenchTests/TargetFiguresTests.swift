import Foundation
import Testing

@testable import BelfryBench

@Suite struct TargetFiguresTests {
    @Test func tallySplitsReadyDeliveredAndExpectedByTarget() {
        // 6 connections on 2 channels over 2 targets: channel 0 = 0, 2, 4 (targets 0, 1, 0),
        // channel 1 = 1, 3, 5 (targets 0, 1, 0). Connection 4 never became ready.
        let layout = ChannelLayout(prefix: "b", count: 2)
        var fast = LatencyHistogram()
        fast.record(100)
        var slow = LatencyHistogram()
        slow.record(300)
        let figures = TargetFigures.tally(
            urls: ["http://a:1", "http://b:2"], layout: layout, messages: 4,
            readyIndices: [true, true, true, true, false, true], perConnection: [2, 2, 2, 1, 0, 2],
            latency: [fast, slow])
        #expect(figures.map(\.url) == ["http://a:1", "http://b:2"])
        #expect(figures.map(\.ready) == [3, 2])
        #expect(figures.map(\.delivered) == [6, 3])
        // 2 messages per channel: target 0 has 1 + 2 ready subscribers, target 1 has 1 + 1.
        #expect(figures.map(\.expected) == [6, 4])
        #expect(figures.map(\.lost) == [0, 1])
        #expect(figures.map(\.latP50Micros) == [100, 300])
    }

    func clusterReport() -> BenchReport {
        var report = BenchReport()
        var first = ServerFigures()
        first.pid = 10
        first.cpuPubSeconds = 1
        var second = ServerFigures()
        second.pid = 11
        second.rssKBReady = 2048
        second.cpuPubSeconds = 0.5
        report.server = first
        report.otherServers = [second]
        var target = TargetFigures(url: "http://127.0.0.1:6002")
        target.ready = 5
        target.delivered = 50
        target.expected = 50
        target.latP99Micros = 1500
        report.targets = [target]
        return report
    }

    @Test func clusterKeysFollowTheStandardOnes() throws {
        let line = clusterReport().jsonLine()
        #expect(line.contains(#""wall_s":0.000,"srv2_pid":11,"srv2_rss_kb_ready":2048,"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["srv2_cpu_pub_s"] as? Double == 0.5)
        #expect(object["sub1_url"] as? String == "http://127.0.0.1:6002")
        #expect(object["sub1_delivered"] as? Int == 50)
        #expect(object["sub1_lat_p99_us"] as? Int == 1500)
        #expect(object["sub2_url"] == nil)
    }

    @Test func singleServerOutputHasNoClusterKeysOrRows() {
        var report = clusterReport()
        report.otherServers = []
        report.targets = []
        #expect(report.jsonLine().hasSuffix(#""wall_s":0.000}"#))
        #expect(!report.table().contains("subscribers 1"))
        #expect(!report.table().contains("server 2"))
    }

    @Test func clusterRowsNameServerAndTarget() {
        let table = clusterReport().table()
        #expect(table.contains("server 2 (pid 11) CPU connect / publish"))
        #expect(table.contains("subscribers 1 (http://127.0.0.1:6002)"))
        #expect(table.contains("5 ready, delivered 50 / 50, p50 / p99 0.000 ms / 1.500 ms"))
    }
}
