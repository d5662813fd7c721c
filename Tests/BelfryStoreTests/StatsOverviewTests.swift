import BelfryManifest
import BelfryStore
import Foundation
import Testing

/// `belfry stats` without `--app`: every app, their total, and unknown apps refused by name.
@Suite struct StatsOverviewTests {
    /// chat at minutes 0 and 61, dashboard at minute 0 only; legacy is configured but idle.
    static func store() async throws -> Store {
        let store = try Store.openInMemory()
        try await store.saveApplied(
            ConfigSnapshot(
                apps: ["chat", "dashboard", "legacy"].enumerated().map { index, name in
                    App(name: name, id: "\(index)", key: "\(name)-key", secret: "s")
                }),
            revision: "r1", source: "test")
        try await store.recordMinuteStats([
            statsDelta(minute: 0, seed: 1, connections: [4, 6]), statsDelta(minute: 61, seed: 2, connections: [2]),
            statsDelta("dashboard", minute: 0, seed: 3, connections: [3, 1]),
        ])
        return store
    }

    static let query = StatsQuery(app: nil, from: statsHour0, to: statsMinute(120), by: .hour)

    @Test func everyAppAndTheirTotal() async throws {
        let answer = try await Self.store().answer(Self.query)
        guard case .allApps(let overview) = answer else {
            Issue.record("expected every app, got \(answer)")
            return
        }
        #expect(overview.reports.map(\.app) == ["chat", "dashboard", "legacy"])
        #expect(overview.reports.map(\.totals.bytesOut) == [3000, 3000, 0])
        let total = overview.total
        #expect(total.app == "*" && total.totals.bytesIn == 600 && total.totals.newConnections == 6)
        // Connections of the apps coexist: in minute 0, 6 (chat) + 3 (dashboard) at peak, and an
        // average of 5 + 2 over the same two samples.
        #expect(total.rows.first?.peakConnections == 9 && total.rows.first?.averageConnections == 7)
        #expect(total.peak == StatsReport.Peak(at: statsMinute(0), connections: 9, period: .minute))

        let table = answer.render(.table)
        #expect(table.contains("\nchat "), "\(table)")
        #expect(table.contains("\nlegacy "))
        #expect(table.contains("\ntotal "))
        #expect(table.contains("peak usage, all apps: 9 connections at 2023-11-14 22:00"))
        let csv = answer.render(.csv).split(separator: "\n")
        #expect(csv.first == "app," + StatsReport.csvHeader.joined(separator: ","))
        #expect(
            csv.dropFirst().map { $0.split(separator: ",").first ?? "" } == ["chat", "chat", "dashboard", "*", "*"])
        let json = answer.render(.json)
        #expect(
            json.hasPrefix(
                "{\"from\":\"2023-11-14T22:00:00Z\",\"to\":\"2023-11-15T00:00:00Z\",\"by\":\"hour\",\"apps\":["))
        #expect(json.contains("\"total\":{\"app\":\"*\""))
    }

    @Test func anUnknownAppIsRefusedNamingTheAppsThatExist() async throws {
        var query = Self.query
        query.app = "nosuch"
        let error = await #expect(throws: UnknownStatsApp.self) { try await Self.store().answer(query) }
        #expect(error?.known == ["chat", "dashboard", "legacy"])
        #expect(error?.description == "no app named nosuch; apps: chat, dashboard, legacy")
    }

    @Test func aConfiguredAppWithoutDataIsNotUnknown() async throws {
        var query = Self.query
        query.app = "legacy"
        let answer = try await Self.store().answer(query)
        #expect(answer.render(.table).hasSuffix("no data\n"))
    }
}
