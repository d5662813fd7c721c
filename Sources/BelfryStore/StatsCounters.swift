/// The counters of one period, shared by the minute and hour records and the rows of a query.
///
/// `add` is the one merge rule: counters and maps add up, peaks keep the larger value, and the
/// connection average stays exact as a sum and a sample count.
struct StatsCounters: Codable, Sendable, Equatable {
    var peakConnections = 0
    var connectionSampleSum = 0
    var connectionSamples = 0
    var newConnections = 0
    var disconnections: [String: Int] = [:]
    var subscriptions = 0
    var messagesReceived = 0
    var messagesDelivered = 0
    var apiRequests: [String: Int] = [:]
    var bytesIn = 0
    var bytesOut = 0
    var rejections: [String: Int] = [:]
    var peakChannels = 0
    /// Webhook outcomes: `sent`, `failed`, `retried`, `dropped` → events.
    var webhooks: [String: Int] = [:]

    /// Merges `other` into these counters.
    mutating func add(_ other: StatsCounters) {
        peakConnections = max(peakConnections, other.peakConnections)
        connectionSampleSum += other.connectionSampleSum
        connectionSamples += other.connectionSamples
        newConnections += other.newConnections
        disconnections.merge(other.disconnections, uniquingKeysWith: +)
        subscriptions += other.subscriptions
        messagesReceived += other.messagesReceived
        messagesDelivered += other.messagesDelivered
        apiRequests.merge(other.apiRequests, uniquingKeysWith: +)
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        rejections.merge(other.rejections, uniquingKeysWith: +)
        peakChannels = max(peakChannels, other.peakChannels)
        webhooks.merge(other.webhooks, uniquingKeysWith: +)
    }

    /// Merges the counters of another app over the same period: what adds up across apps.
    ///
    /// Peaks add (the apps' connections coexist; the sum of their peaks bounds the node's), and
    /// the sample count is the larger one: every app is sampled at every flush, so an app with
    /// fewer samples had no row, that is no connections, for the others.
    mutating func addConcurrent(_ other: StatsCounters) {
        let (connections, channels) = (peakConnections, peakChannels)
        let samples = max(connectionSamples, other.connectionSamples)
        add(other)
        peakConnections = connections + other.peakConnections
        peakChannels = channels + other.peakChannels
        connectionSamples = samples
    }

    /// Whether recording these counters would change nothing (the server flushed an idle app).
    var isZero: Bool { self == StatsCounters() }
}
