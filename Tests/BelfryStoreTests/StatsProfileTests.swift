import BelfryStore
import Foundation
import Testing

/// `--profile`: hours of the day and days of the week, for "when is my busy time".
@Suite struct StatsProfileTests {
    /// Tuesday 2023-11-14 22:00 and 23:00, Wednesday 00:00 (UTC), and the next Tuesday's 22:00.
    static func store() async throws -> Store {
        let store = try Store.openInMemory()
        try await store.recordMinuteStats([
            statsDelta(minute: 0, seed: 1, connections: [2, 4]), statsDelta(minute: 61, seed: 2, connections: [12]),
            statsDelta(minute: 130, seed: 3, connections: [5]),
            statsDelta(minute: 7 * 24 * 60, seed: 1, connections: [8]),
            statsDelta("dashboard", minute: 1, seed: 1, connections: [5]),
        ])
        return store
    }

    static func profile(app: String?) async throws -> StatsProfile {
        let query = StatsQuery(
            app: app, from: statsHour0, to: statsMinute(8 * 24 * 60), by: .minute, profile: true)
        guard case .profile(let profile) = try await store().answer(query) else {
            Issue.record("expected a profile")
            throw CancellationError()
        }
        return profile
    }

    @Test func hoursOfTheDayAndDaysOfTheWeek() async throws {
        let profile = try await Self.profile(app: "chat")
        let ten = profile.hourOfDay[22]
        #expect(ten.label == "22:00" && ten.hours == 2 && ten.peakConnections == 8)
        #expect(ten.averageConnections == 14.0 / 3 && ten.perHour(ten.messagesDelivered) == 10)
        #expect(profile.hourOfDay[23].peakConnections == 12 && profile.hourOfDay[0].peakConnections == 5)
        #expect(profile.hourOfDay[1].hours == 0)
        #expect(profile.dayOfWeek.map(\.label) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
        #expect(profile.dayOfWeek.map(\.hours) == [0, 3, 1, 0, 0, 0, 0])
        #expect(profile.busiestHour?.label == "23:00" && profile.busiestDay?.label == "Tue")
    }

    @Test func allAppsTogetherAddTheirConnections() async throws {
        let profile = try await Self.profile(app: nil)
        #expect(profile.app == "*")
        // 22:00 on the 14th: 4 (chat) + 5 (dashboard) at once, more than chat's 8 a week later.
        #expect(profile.hourOfDay[22].peakConnections == 9)
        #expect(profile.hourOfDay[22].averageConnections == 19.0 / 3)
    }

    @Test func renderings() async throws {
        let profile = try await Self.profile(app: "chat")
        let table = profile.renderTable()
        #expect(table.hasPrefix("chat: busy times (UTC), 2023-11-14T22:00:00Z to 2023-11-22T22:00:00Z\n"))
        #expect(table.contains("busiest hour of day: 23:00 UTC, 12 connections at peak, 12.00 on average (1 hours)"))
        #expect(table.contains("busiest day of week: Tue, 12 connections at peak"))
        let bar = try #require(table.split(separator: "\n").first { $0.hasPrefix("23:00") })
        #expect(bar.hasSuffix(String(repeating: "#", count: 30)))
        let csv = profile.renderCSV().split(separator: "\n")
        #expect(csv.count == 1 + 24 + 7 && csv[0] == StatsProfile.csvHeader.joined(separator: ","))
        #expect(csv[24] == "hourOfDay,23:00,1,12,12.00,2.00,20.00,200.00,2000.00")
        let json = profile.renderJSON()
        #expect(json.contains("\"busiestHour\":{\"profile\":\"hourOfDay\",\"slot\":\"23:00\",\"hours\":1,"))
        for key in StatsProfile.csvHeader { #expect(json.contains("\"\(key)\":")) }
    }
}
