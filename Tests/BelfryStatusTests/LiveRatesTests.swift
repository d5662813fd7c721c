import Testing

@testable import BelfryStatus

@Suite struct LiveRatesTests {
    private func totals(_ n: Int) -> LiveRates.Totals { .init(messagesIn: n, messagesOut: n * 10, errors: n / 10) }

    @Test func aYoungProcessCountsEverythingSinceItStarted() {
        let rates = LiveRates()
        rates.record(at: 0, ["chat": totals(0)])
        rates.record(at: 5, ["chat": totals(30)])
        #expect(rates.perMinute("chat") == .init(messagesIn: 30, messagesOut: 300, errors: 3))
        #expect(rates.perMinute("other") == .init())
    }

    @Test func theBaselineIsTheNewestSampleAMinuteOld() {
        let rates = LiveRates()
        for second in stride(from: 0, through: 120, by: 5) {
            rates.record(at: Double(second), ["chat": totals(second)])
        }
        // Totals grow by 1 a second: 60 in the last minute.
        #expect(rates.perMinute("chat").messagesIn == 60)
    }

    @Test func aRecreatedAppCountsFromZero() {
        let rates = LiveRates()
        rates.record(at: 0, ["chat": totals(500)])
        rates.record(at: 70, ["chat": totals(7)])
        #expect(rates.perMinute("chat").messagesIn == 7)
    }

    @Test func samplesAreBounded() {
        let rates = LiveRates(capacity: 10)
        for i in 0..<100 { rates.record(at: Double(i) / 100, ["chat": totals(i)]) }
        #expect(rates.perMinute("chat").messagesIn == 99)
    }

    @Test func normalClosesAreNotErrors() {
        #expect(
            ErrorMeaning.count(
                disconnections: ["1000": 5, "4200": 2, "4201": 1, "1006": 3], rejections: ["client event": 2]) == 3)
        #expect(ErrorMeaning.describe("4004").contains("maxConnections"))
    }

    @Test func aRefusalByALimitNamesTheManifestField() {
        #expect(ErrorMeaning.describe("limit subscriptionsPerSecond").contains("limits.subscriptionsPerSecond"))
    }
}
