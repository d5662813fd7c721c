import BelfryStore
import Foundation
import Testing

@Suite struct StatsQueryTests {
    static let day0 = Date(timeIntervalSince1970: 1_699_920_000)  // 2023-11-14T00:00:00Z
    static let day1 = statsMinute(120)  // 2023-11-15T00:00:00Z

    /// Eight minutes from 22:00 to 01:20 across a UTC day boundary; hours 22 and 23 rolled up at 00:05,
    /// then a late delta for 22:30 and new minutes after the rollup.
    static func mixedStore() async throws -> Store {
        let store = try Store.openInMemory()
        let peaks = [0: 3, 30: 9, 59: 2, 61: 4, 119: 1, 120: 5, 150: 12, 200: 12]
        try await store.recordMinuteStats(
            peaks.filter { $0.key < 120 }.map { statsDelta(minute: $0.key, seed: 1, connections: [$0.value]) })
        try await store.rollUpStats(now: statsMinute(125))
        try await store.recordMinuteStats(
            peaks.filter { $0.key >= 120 }.map { statsDelta(minute: $0.key, seed: 1, connections: [$0.value]) }
                + [statsDelta(minute: 30, seed: 2, connections: [1])])
        return store
    }

    @Test func everyResolutionGivesTheSameTotals() async throws {
        let store = try await Self.mixedStore()
        let minute = try await statsTotals(store, by: .minute)
        #expect(minute.newConnections == 10)
        #expect(minute.disconnections == ["1000": 10, "4003": 9])
        #expect(minute.connectionSamples == 9 && minute.connectionSampleSum == 49)
        #expect(minute.peakConnections == 12)
        #expect(try await statsTotals(store, by: .hour) == minute)
        #expect(try await statsTotals(store, by: .day) == minute)
    }

    @Test func rowsAreGroupedByUTCPeriod() async throws {
        let store = try await Self.mixedStore()
        let range = (from: Self.day0, to: Self.day1.addingTimeInterval(86400))
        let hours = try await store.stats(app: "chat", from: range.from, to: range.to, by: .hour)
        #expect(hours.map(\.periodStart) == [0, 60, 120, 180].map(statsMinute))
        #expect(hours.map(\.newConnections) == [5, 2, 2, 1])
        #expect(hours.map(\.peakConnections) == [9, 4, 12, 12])
        let days = try await store.stats(app: "chat", from: range.from, to: range.to, by: .day)
        #expect(days.map(\.periodStart) == [Self.day0, Self.day1])
        #expect(days.map(\.newConnections) == [7, 3])
        let averages: [Double] = [20.0 / 6, 29.0 / 3]
        #expect(days.map(\.averageConnections) == averages)
    }

    @Test func theRangeIsWidenedToWholePeriodsAndToIsExclusive() async throws {
        let store = try await Self.mixedStore()
        let from = statsMinute(30).addingTimeInterval(20)
        let to = statsMinute(130)
        let minutes = try await store.stats(app: "chat", from: from, to: to, by: .minute)
        #expect(minutes.map(\.periodStart) == [30, 59, 61, 119, 120].map(statsMinute))
        let hours = try await store.stats(app: "chat", from: from, to: to, by: .hour)
        #expect(hours.map(\.periodStart) == [0, 60, 120].map(statsMinute))
        #expect(try await store.stats(app: "chat", from: to, to: from, by: .minute).isEmpty)
        #expect(try await store.stats(app: "other", from: from, to: to, by: .hour).isEmpty)
    }

    @Test func thePeakIsFoundToTheMinute() async throws {
        let store = try await Self.mixedStore()
        for resolution in StatsResolution.allCases {
            let report = try await store.statsReport(
                app: "chat", from: Self.day0, to: Self.day1.addingTimeInterval(86400), by: resolution)
            #expect(report.peak == StatsReport.Peak(at: statsMinute(150), connections: 12, period: .minute))
        }
        let evening = try await store.statsReport(app: "chat", from: statsHour0, to: Self.day1, by: .day)
        #expect(evening.peak == StatsReport.Peak(at: statsMinute(30), connections: 9, period: .minute))
        #expect(evening.from == Self.day0 && evening.to == Self.day1)
    }

    @Test func withoutMinuteRowsThePeakIsPlacedAtTheReportResolution() async throws {
        let store = try await Self.mixedStore()
        try await store.rollUpStats(now: Self.day1.addingTimeInterval(8 * 86400))
        let report = try await store.statsReport(
            app: "chat", from: Self.day0, to: Self.day1.addingTimeInterval(86400), by: .day)
        #expect(report.peak == StatsReport.Peak(at: Self.day1, connections: 12, period: .day))
        let hourly = try await store.statsReport(
            app: "chat", from: Self.day0, to: Self.day1.addingTimeInterval(86400), by: .hour)
        #expect(hourly.peak == StatsReport.Peak(at: statsMinute(120), connections: 12, period: .hour))
    }

    @Test func anAppWithoutConnectionsHasNoPeak() async throws {
        let store = try Store.openInMemory()
        var stats = AppMinuteStats(app: "chat", minute: statsHour0)
        stats.apiRequests["POST /events 200"] = 1
        try await store.recordMinuteStats([stats])
        let report = try await store.statsReport(app: "chat", from: statsHour0, to: statsMinute(60), by: .hour)
        #expect(report.rows.count == 1)
        #expect(report.peak == nil)
    }
}
