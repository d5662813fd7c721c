import Foundation

/// One app's counters for one minute, as the server accumulates them between two flushes.
///
/// A value is a delta: `Store.recordMinuteStats` adds its counters to what is stored, keeps the
/// larger peak, and adds the connection samples (the minute's average is `connectionSampleSum /
/// connectionSamples`). Maps are keyed by short, stable strings and must not contain `;`.
///
/// ```swift
/// var stats = AppMinuteStats(app: "chat", minute: minuteStart)
/// stats.sampleConnections(server.connectionCount(app: "chat"))
/// stats.disconnections["4003", default: 0] += 1
/// stats.apiRequests["POST /events 200", default: 0] += 1
/// ```
public struct AppMinuteStats: Sendable, Equatable {
    /// The app's `metadata.name`.
    public var app: String
    /// The start of the UTC minute; a time inside the minute is rounded down when recorded.
    public var minute: Date
    /// The most concurrent connections seen in the minute.
    public var peakConnections = 0
    /// The sum of the connection counts sampled in the minute.
    public var connectionSampleSum = 0
    /// How many connection counts were sampled in the minute.
    public var connectionSamples = 0
    public var newConnections = 0
    /// Close code (`"1000"`, `"4003"`, …) → connections closed with it.
    public var disconnections: [String: Int] = [:]
    public var subscriptions = 0
    /// Client events received.
    public var messagesReceived = 0
    /// Messages written to connections (a broadcast to 10 subscribers counts 10).
    public var messagesDelivered = 0
    /// `"METHOD /endpoint STATUS"` (`"POST /events 200"`) → requests.
    public var apiRequests: [String: Int] = [:]
    public var bytesIn = 0
    public var bytesOut = 0
    /// Error or rejection reason → occurrences.
    public var rejections: [String: Int] = [:]
    /// The most channels occupied at once in the minute.
    public var peakChannels = 0
    /// Webhook outcomes in the minute: `sent`, `failed`, `retried`, `dropped` → events.
    public var webhooks: [String: Int] = [:]

    /// A delta with every counter at zero.
    public init(app: String, minute: Date) {
        self.app = app
        self.minute = minute
    }

    /// Records one sample of the current connection count: raises the peak and feeds the average.
    public mutating func sampleConnections(_ count: Int) {
        peakConnections = max(peakConnections, count)
        connectionSampleSum += count
        connectionSamples += 1
    }

    /// Records the current channel count, raising the peak.
    public mutating func sampleChannels(_ count: Int) {
        peakChannels = max(peakChannels, count)
    }

    /// The counters without app and minute, in the form the tables store.
    var counters: StatsCounters {
        StatsCounters(
            peakConnections: peakConnections, connectionSampleSum: connectionSampleSum,
            connectionSamples: connectionSamples, newConnections: newConnections, disconnections: disconnections,
            subscriptions: subscriptions, messagesReceived: messagesReceived, messagesDelivered: messagesDelivered,
            apiRequests: apiRequests, bytesIn: bytesIn, bytesOut: bytesOut, rejections: rejections,
            peakChannels: peakChannels, webhooks: webhooks)
    }
}
