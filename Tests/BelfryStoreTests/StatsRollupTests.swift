import BelfryStore
import Foundation
import Testing

@Suite struct StatsRollupTests {
    static let day: TimeInterval = 86400

    /// Minutes 0, 1 and 59 of hour 0 and minutes 60 and 61 of hour 1, seeds 1 to 5.
    static func recordTwoHours(_ store: Store) async throws {
        try await store.recordMinuteStats([
            statsDelta(minute: 0, seed: 1, connections: [1, 2]), statsDelta(minute: 1, seed: 2, connections: [4]),
            statsDelta(minute: 59, seed: 3, connections: [3]), statsDelta(minute: 60, seed: 4, connections: [8]),
            statsDelta(minute: 61, seed: 5, connections: [2, 2]),
        ])
    }

    @Test func rollupMakesHourlyRowsEqualToTheSumOfTheirMinutes() async throws {
        let store = try Store.openInMemory()
        try await Self.recordTwoHours(store)
        let minutes = try await store.stats(app: "chat", from: statsHour0, to: statsMinute(120), by: .minute)
        #expect(minutes.count == 5)
        var hour0 = StatsRow(periodStart: statsHour0)
        var hour1 = StatsRow(periodStart: statsMinute(60))
        for row in minutes { row.periodStart < statsMinute(60) ? hour0.add(row) : hour1.add(row) }

        // Hour 1 is not complete at 23:30: only hour 0 is folded, and every minute row is kept.
        try await store.rollUpStats(now: statsMinute(90))
        try await store.rollUpStats(now: statsMinute(90))
        #expect(try await store.stats(app: "chat", from: statsHour0, to: statsMinute(120), by: .minute) == minutes)
        #expect(
            try await store.stats(app: "chat", from: statsHour0, to: statsMinute(120), by: .hour) == [hour0, hour1])

        // Eight days later both hours are folded and the minute rows are gone: the hourly rows alone hold the sums.
        try await store.rollUpStats(now: statsMinute(90).addingTimeInterval(8 * Self.day))
        #expect(try await store.stats(app: "chat", from: statsHour0, to: statsMinute(120), by: .minute).isEmpty)
        #expect(
            try await store.stats(app: "chat", from: statsHour0, to: statsMinute(120), by: .hour) == [hour0, hour1])
    }

    @Test func aLateDeltaForARolledUpHourIsCountedOnce() async throws {
        let store = try Store.openInMemory()
        try await store.recordMinuteStats([statsDelta(minute: 10, seed: 1, connections: [5])])
        try await store.rollUpStats(now: statsMinute(61))
        try await store.recordMinuteStats([
            statsDelta(minute: 10, seed: 2, connections: [7]), statsDelta(minute: 20, seed: 3, connections: [1]),
        ])
        for resolution in StatsResolution.allCases {
            let totals = try await statsTotals(store, by: resolution)
            #expect(totals.newConnections == 6, "\(resolution)")
            #expect(totals.bytesOut == 6000, "\(resolution)")
            #expect(totals.connectionSamples == 3 && totals.peakConnections == 7, "\(resolution)")
            #expect(totals.averageConnections == 13.0 / 3, "\(resolution)")
            #expect(totals.disconnections == ["1000": 6, "4003": 3], "\(resolution)")
        }
        try await store.rollUpStats(now: statsMinute(61).addingTimeInterval(8 * Self.day))
        #expect(try await statsTotals(store, by: .hour) == statsTotals(store, by: .day))
        #expect(try await statsTotals(store, by: .hour).newConnections == 6)
    }

    @Test func retentionDeletesOnlyRowsOlderThanItsWindow() async throws {
        let store = try Store.openInMemory()
        let now = statsMinute(30)
        let week = 7 * 1440
        let indexes = [
            -400 * 1440 - 30,  // in the hour 21:00-22:00, 400 days before 22:30: ended before the cutoff
            -400 * 1440 + 10,  // in the hour 22:00-23:00, 400 days before: ends after the cutoff
            -week + 29,  // the minute ending exactly 7 days before 22:30
            -week + 30,  // the minute starting exactly 7 days before
            -60, 15,  // the previous hour and the current one
        ]
        try await store.recordMinuteStats(indexes.enumerated().map { statsDelta(minute: $1, seed: $0 + 1) })
        try await store.rollUpStats(now: now)

        let minutes = try await store.stats(
            app: "chat", from: now.addingTimeInterval(-500 * Self.day), to: now, by: .minute)
        #expect(minutes.map(\.periodStart) == [-week + 30, -60, 15].map(statsMinute))
        let hours = try await store.stats(
            app: "chat", from: now.addingTimeInterval(-500 * Self.day), to: now, by: .hour)
        // The minute deleted 7 days back still counts in its hour, beside the minute kept there.
        #expect(hours.map(\.newConnections) == [2, 3 + 4, 5, 6])
        #expect(hours.first?.periodStart == statsMinute(-400 * 1440))
    }

    @Test func theCurrentHourIsKeptWhateverTheRetention() async throws {
        let store = try Store.openInMemory()
        try await store.recordMinuteStats([statsDelta(minute: 59, seed: 1), statsDelta(minute: 61, seed: 2)])
        try await store.rollUpStats(now: statsMinute(62), minuteRetention: 0)
        let minutes = try await store.stats(app: "chat", from: statsHour0, to: statsMinute(120), by: .minute)
        #expect(minutes.map(\.periodStart) == [statsMinute(61)])
        let hours = try await store.stats(app: "chat", from: statsHour0, to: statsMinute(120), by: .hour)
        #expect(hours.map(\.newConnections) == [1, 2])
    }

    @Test func hourlyRowsAreKeptAtLeastAsLongAsMinuteRows() async throws {
        let store = try Store.openInMemory()
        try await store.recordMinuteStats([statsDelta(minute: 0, seed: 1)])
        try await store.rollUpStats(now: statsMinute(0).addingTimeInterval(3 * Self.day), hourRetention: Self.day)
        #expect(try await statsTotals(store, by: .minute).newConnections == 1)
        #expect(try await statsTotals(store, by: .hour).newConnections == 1)
    }
}
