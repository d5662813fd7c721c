import Foundation

/// Which statistics flushes can wait for the next one.
///
/// An idle server's flush every few seconds only samples the connection count again: no counter
/// moved and no peak rose. Writing each such batch cost a SQLite transaction (and a database
/// thread woken) every interval, most of an idle server's background CPU. Such a batch is held
/// and written with the next batch that has something new, or with the first batch of the next
/// minute, so a quiet server writes its statistics once a minute. Counts are never held: a batch
/// with any count, or with a peak above the one already written for the minute, is written at
/// once, with what was held before it.
///
/// Pure: the flusher asks `rows(toWrite:final:)` and reports what happened to the write.
public struct StatsFolding: Sendable {
    /// Quiet batches not written yet, oldest first.
    private(set) var held: [AppMinuteStats] = []
    /// The highest peaks written per app, for the minute they belong to.
    private var written: [String: Peaks] = [:]

    private struct Peaks: Sendable {
        var minute: Date
        var connections: Int
        var channels: Int
    }

    public init() {}

    /// The rows to write now (the held ones, then `batch`), or nil when `batch` is held. `final`
    /// (the last flush at shutdown) always writes.
    public mutating func rows(toWrite batch: [AppMinuteStats], final: Bool) -> [AppMinuteStats]? {
        let sameMinute = held.allSatisfy { heldRow in batch.allSatisfy { $0.minute == heldRow.minute } }
        if !final, sameMinute, batch.allSatisfy(isQuiet) {
            held += batch
            return nil
        }
        defer { held = [] }
        return held + batch
    }

    /// `rows` reached the database: their peaks are the ones to beat for their minute.
    public mutating func wrote(_ rows: [AppMinuteStats]) {
        for row in rows {
            if let peaks = written[row.app], peaks.minute == row.minute {
                written[row.app] = Peaks(
                    minute: row.minute, connections: max(peaks.connections, row.peakConnections),
                    channels: max(peaks.channels, row.peakChannels))
            } else if written[row.app].map({ $0.minute < row.minute }) ?? true {
                written[row.app] = Peaks(
                    minute: row.minute, connections: row.peakConnections, channels: row.peakChannels)
            }
        }
    }

    /// The write of `rows` failed. Their counts come back through the flusher's baselines; their
    /// samples and peaks are held here for the next write.
    public mutating func failedToWrite(_ rows: [AppMinuteStats]) {
        held =
            rows.map { row in
                var samples = AppMinuteStats(app: row.app, minute: row.minute)
                samples.peakConnections = row.peakConnections
                samples.connectionSampleSum = row.connectionSampleSum
                samples.connectionSamples = row.connectionSamples
                samples.peakChannels = row.peakChannels
                return samples
            } + held
    }

    /// Nothing but a connection sample, with peaks no higher than what is written for its minute.
    private func isQuiet(_ row: AppMinuteStats) -> Bool {
        var counts = row.counters
        (counts.connectionSampleSum, counts.connectionSamples) = (0, 0)
        (counts.peakConnections, counts.peakChannels) = (0, 0)
        guard counts.isZero, let peaks = written[row.app], peaks.minute == row.minute else { return false }
        return row.peakConnections <= peaks.connections && row.peakChannels <= peaks.channels
    }
}
