import BelfryStore
import Foundation
import Testing

/// Quiet statistics flushes wait; anything counted, a higher peak, a new minute or the final
/// flush writes, with what was held first.
@Suite struct StatsFoldingTests {
    private let minute = Date(timeIntervalSince1970: 1_796_077_860)
    private var nextMinute: Date { minute.addingTimeInterval(60) }

    /// `rows(toWrite:final:)` outside the test macros (which cannot call a mutating method).
    private func fold(_ folding: inout StatsFolding, _ batch: [AppMinuteStats], final: Bool = false)
        -> [AppMinuteStats]?
    {
        folding.rows(toWrite: batch, final: final)
    }

    private func sample(_ app: String = "chat", connections: Int, at minute: Date? = nil) -> AppMinuteStats {
        var row = AppMinuteStats(app: app, minute: minute ?? self.minute)
        row.sampleConnections(connections)
        row.sampleChannels(1)
        return row
    }

    /// The first batch of a minute is written; the same sample again is held, and written with
    /// the next batch that counts something.
    @Test func aRepeatedSampleWaitsForNews() throws {
        var folding = StatsFolding()
        let answer1 = fold(&folding, [sample(connections: 10)], final: false)
        let first = try #require(answer1)
        folding.wrote(first)
        let answer2 = fold(&folding, [sample(connections: 10)], final: false)
        #expect(answer2 == nil)
        let answer3 = fold(&folding, [sample(connections: 9)], final: false)
        #expect(answer3 == nil)
        var news = sample(connections: 10)
        news.newConnections = 1
        let answer4 = fold(&folding, [news], final: false)
        let rows = try #require(answer4)
        #expect(rows == [sample(connections: 10), sample(connections: 9), news])
        // Every sample reached the database once: 3 after the first.
        #expect(rows.reduce(0) { $0 + $1.connectionSamples } == 3)
    }

    @Test func aHigherPeakIsWrittenAtOnce() throws {
        var folding = StatsFolding()
        let answer1 = fold(&folding, [sample(connections: 10)], final: false)
        folding.wrote(try #require(answer1))
        let answer2 = fold(&folding, [sample(connections: 11)], final: false)
        #expect(answer2 != nil)
        var channels = sample(connections: 10)
        channels.sampleChannels(5)
        let answer3 = fold(&folding, [channels], final: false)
        #expect(answer3 != nil)
    }

    /// A quiet server writes once a minute: the held samples go out with the next minute's first batch.
    @Test func aNewMinuteWritesWhatWasHeld() throws {
        var folding = StatsFolding()
        let answer1 = fold(&folding, [sample(connections: 3)], final: false)
        folding.wrote(try #require(answer1))
        let answer2 = fold(&folding, [sample(connections: 3)], final: false)
        #expect(answer2 == nil)
        let answer3 = fold(&folding, [sample(connections: 3, at: nextMinute)], final: false)
        let rows = try #require(answer3)
        #expect(rows.map(\.minute) == [minute, nextMinute])
    }

    @Test func theFinalFlushWritesEvenAQuietBatch() throws {
        var folding = StatsFolding()
        let answer1 = fold(&folding, [sample(connections: 3)], final: false)
        folding.wrote(try #require(answer1))
        let answer2 = fold(&folding, [sample(connections: 3)], final: false)
        #expect(answer2 == nil)
        let answer3 = fold(&folding, [sample(connections: 3)], final: true)
        let rows = try #require(answer3)
        #expect(rows.count == 2)
    }

    /// An app seen for the first time (or in a minute it has no row for yet) is written.
    @Test func anAppWithoutAWrittenRowIsWritten() throws {
        var folding = StatsFolding()
        let answer1 = fold(&folding, [sample("chat", connections: 3)], final: false)
        folding.wrote(try #require(answer1))
        let answer2 = fold(&folding, [sample("chat", connections: 3), sample("game", connections: 0)], final: false)
        #expect(answer2 != nil)
    }

    /// A failed write keeps the samples and peaks (the counts come back through the flusher's
    /// baselines), and nothing counts as written: the next batch is written with them.
    @Test func aFailedWriteKeepsTheSamples() throws {
        var folding = StatsFolding()
        var counted = sample(connections: 4)
        counted.messagesDelivered = 7
        let answer1 = fold(&folding, [counted], final: false)
        let rows = try #require(answer1)
        folding.failedToWrite(rows)
        let answer2 = fold(&folding, [sample(connections: 4)], final: false)
        let retry = try #require(answer2)
        #expect(retry.count == 2)
        #expect(retry[0].messagesDelivered == 0 && retry[0].connectionSamples == 1 && retry[0].peakConnections == 4)
    }
}
