import Foundation

/// One period of an app's statistics, as a query returns it: counters summed over the period,
/// peaks the largest seen in it, the average weighted by every connection sample taken in it.
public struct StatsRow: Sendable, Equatable {
    /// The start of the UTC minute, hour or day.
    public var periodStart: Date
    public var peakConnections = 0
    /// The sum of the connection counts sampled in the period.
    public var connectionSampleSum = 0
    /// How many connection counts were sampled in the period.
    public var connectionSamples = 0
    public var newConnections = 0
    /// Close code → connections closed with it.
    public var disconnections: [String: Int] = [:]
    public var subscriptions = 0
    /// Client events received.
    public var messagesReceived = 0
    /// Messages written to connections (fan-out).
    public var messagesDelivered = 0
    /// `"METHOD /endpoint STATUS"` → requests.
    public var apiRequests: [String: Int] = [:]
    public var bytesIn = 0
    public var bytesOut = 0
    /// Error or rejection reason → occurrences.
    public var rejections: [String: Int] = [:]
    public var peakChannels = 0
    /// Webhook outcomes (`sent`, `failed`, `retried`, `dropped`) → events.
    public var webhooks: [String: Int] = [:]

    /// A row with every counter at zero.
    public init(periodStart: Date) {
        self.periodStart = periodStart
    }

    /// The average of the sampled connection counts, 0 when none was sampled.
    public var averageConnections: Double {
        connectionSamples > 0 ? Double(connectionSampleSum) / Double(connectionSamples) : 0
    }

    /// Merges `other` into this row with the storage's rule: counters add, peaks take the max.
    public mutating func add(_ other: StatsRow) {
        var merged = counters
        merged.add(other.counters)
        self = StatsRow(periodStart: periodStart, counters: merged)
    }

    /// Merges another app's row of the same period (see `StatsCounters.addConcurrent`): the
    /// row of several apps together.
    public mutating func addConcurrent(_ other: StatsRow) {
        var merged = counters
        merged.addConcurrent(other.counters)
        self = StatsRow(periodStart: periodStart, counters: merged)
    }

    init(periodStart: Date, counters: StatsCounters) {
        self.periodStart = periodStart
        peakConnections = counters.peakConnections
        connectionSampleSum = counters.connectionSampleSum
        connectionSamples = counters.connectionSamples
        newConnections = counters.newConnections
        disconnections = counters.disconnections
        subscriptions = counters.subscriptions
        messagesReceived = counters.messagesReceived
        messagesDelivered = counters.messagesDelivered
        apiRequests = counters.apiRequests
        bytesIn = counters.bytesIn
        bytesOut = counters.bytesOut
        rejections = counters.rejections
        peakChannels = counters.peakChannels
        webhooks = counters.webhooks
    }

    var counters: StatsCounters {
        StatsCounters(
            peakConnections: peakConnections, connectionSampleSum: connectionSampleSum,
            connectionSamples: connectionSamples, newConnections: newConnections, disconnections: disconnections,
            subscriptions: subscriptions, messagesReceived: messagesReceived, messagesDelivered: messagesDelivered,
            apiRequests: apiRequests, bytesIn: bytesIn, bytesOut: bytesOut, rejections: rejections,
            peakChannels: peakChannels, webhooks: webhooks)
    }
}
