import BelfryStore
import Foundation
import Testing

@Suite struct StatsRecordingTests {
    @Test func twoDeltasForTheSameMinuteMerge() async throws {
        let store = try Store.openInMemory(now: { fixedNow })
        try await store.recordMinuteStats([statsDelta(minute: 13, seed: 1, connections: [2, 4])])
        try await store.recordMinuteStats([statsDelta(minute: 13, seed: 3, connections: [6])])

        var expected = StatsRow(periodStart: statsMinute(13))
        expected.peakConnections = 6
        expected.connectionSampleSum = 12
        expected.connectionSamples = 3
        expected.newConnections = 4
        expected.disconnections = ["1000": 4, "4003": 2]
        expected.subscriptions = 8
        expected.messagesReceived = 12
        expected.messagesDelivered = 40
        expected.apiRequests = ["POST /events 200": 4]
        expected.bytesIn = 400
        expected.bytesOut = 4000
        expected.rejections = ["over quota": 1]
        expected.peakChannels = 3
        let rows = try await store.stats(app: "chat", from: statsHour0, to: statsMinute(60), by: .minute)
        #expect(rows == [expected])
        #expect(rows.first?.averageConnections == 4)
    }

    @Test func deltasInOneBatchMergeAndAppsStayApart() async throws {
        let store = try Store.openInMemory()
        var unaligned = statsDelta(minute: 5, seed: 2, connections: [9])
        unaligned.minute = statsMinute(5).addingTimeInterval(59.5)
        try await store.recordMinuteStats([
            statsDelta(minute: 5, seed: 1, connections: [1]), unaligned, statsDelta("news", minute: 5, seed: 7),
        ])
        let chat = try await store.stats(app: "chat", from: statsHour0, to: statsMinute(60), by: .minute)
        #expect(chat.map(\.periodStart) == [statsMinute(5)])
        #expect(chat.first?.newConnections == 3)
        #expect(chat.first?.peakConnections == 9)
        #expect(chat.first?.averageConnections == 5)
        let news = try await store.stats(app: "news", from: statsHour0, to: statsMinute(60), by: .minute)
        #expect(news.first?.newConnections == 7)
        #expect(news.first?.connectionSamples == 0)
        #expect(news.first?.averageConnections == 0)
    }

    @Test func peaksTakeTheLargestValueNotTheSum() async throws {
        let store = try Store.openInMemory()
        var first = AppMinuteStats(app: "chat", minute: statsMinute(0))
        first.sampleConnections(10)
        first.sampleChannels(4)
        var second = AppMinuteStats(app: "chat", minute: statsMinute(0))
        second.sampleConnections(7)
        second.sampleConnections(1)
        second.sampleChannels(3)
        try await store.recordMinuteStats([first])
        try await store.recordMinuteStats([second])
        let row = try #require(
            try await store.stats(app: "chat", from: statsHour0, to: statsMinute(1), by: .minute).first)
        #expect(row.peakConnections == 10)
        #expect(row.peakChannels == 4)
        #expect(row.averageConnections == 6)
    }

    @Test func idleDeltasWriteNothing() async throws {
        let store = try Store.openInMemory()
        try await store.recordMinuteStats([AppMinuteStats(app: "chat", minute: statsMinute(0))])
        try await store.recordMinuteStats([])
        #expect(try await store.stats(app: "chat", from: statsHour0, to: statsMinute(60), by: .minute).isEmpty)
    }

    @Test func recordedStatsSurviveARestart() async throws {
        try await withDatabasePath { path in
            let store = try openStore(path)
            #expect(
                try await store.appliedMigrations() == [
                    "v1-reconciler", "v2-stats", "v3-sessions", "v4-webhooks", "v5-webhook-stats",
                    "v6-retiring-secrets",
                ])
            try await store.recordMinuteStats([statsDelta(minute: 1, seed: 2, connections: [3])])
            try store.close()

            let reopened = try openStore(path)
            let rows = try await reopened.stats(app: "chat", from: statsHour0, to: statsMinute(60), by: .minute)
            #expect(rows.map(\.newConnections) == [2])
            #expect(rows.map(\.disconnections) == [["1000": 2, "4003": 1]])
            try reopened.close()
        }
    }
}

@Suite struct WebhookStatsTests {
    @Test func webhookOutcomesAddUpAndRollUpAndRender() async throws {
        let store = try Store.openInMemory(now: { fixedNow })
        var first = AppMinuteStats(app: "chat", minute: statsMinute(3))
        first.webhooks = ["sent": 5, "retried": 2]
        var second = AppMinuteStats(app: "chat", minute: statsMinute(7))
        second.webhooks = ["sent": 1, "dropped": 1]
        try await store.recordMinuteStats([first, second])
        let minutes = try await store.stats(app: "chat", from: statsHour0, to: statsMinute(60), by: .minute)
        #expect(minutes.map(\.webhooks) == [["sent": 5, "retried": 2], ["sent": 1, "dropped": 1]])
        try await store.rollUpStats(now: statsMinute(61))
        let hours = try await store.stats(app: "chat", from: statsHour0, to: statsMinute(60), by: .hour)
        #expect(hours.first?.webhooks == ["sent": 6, "retried": 2, "dropped": 1])
        let report = try await store.statsReport(app: "chat", from: statsHour0, to: statsMinute(60), by: .hour)
        #expect(report.renderTable().contains("webhooks: dropped: 1, retried: 2, sent: 6\n"))
        #expect(report.renderCSV().split(separator: "\n").first?.hasSuffix(",peakChannels,webhooks") == true)
        #expect(report.renderCSV().contains("dropped:1;retried:2;sent:6"))
        #expect(report.renderJSON().contains(#""webhooks":{"dropped":1,"retried":2,"sent":6}"#))
    }
}
