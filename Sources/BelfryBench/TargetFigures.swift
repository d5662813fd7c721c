/// What the subscribers of one subscriber target (`--subscribe-url`) got: with a publisher on
/// one node of a cluster and subscribers on several, the difference between the targets'
/// latencies is the cost of the hop between the nodes.
public struct TargetFigures: Sendable, Equatable {
    public var url: String
    public var ready = 0
    public var delivered = 0
    public var expected = 0
    public var latP50Micros: UInt64 = 0
    public var latP99Micros: UInt64 = 0

    public init(url: String) { self.url = url }

    public var lost: Int { expected - delivered }

    /// Splits the run's per-connection figures by target.
    /// - Parameters:
    ///   - urls: the subscriber targets, in order (`BenchOptions.subscriberTargets`).
    ///   - readyIndices: whether connection i became ready.
    ///   - perConnection: timestamped frames connection i received.
    ///   - latency: one histogram per target, in the order of `urls`.
    public static func tally(
        urls: [String], layout: ChannelLayout, messages: Int, readyIndices: [Bool], perConnection: [UInt32],
        latency: [LatencyHistogram]
    ) -> [TargetFigures] {
        var figures = urls.map { TargetFigures(url: $0) }
        var readyPerGroup = Array(repeating: Array(repeating: 0, count: layout.count), count: urls.count)
        for i in readyIndices.indices where readyIndices[i] {
            let target = layout.target(ofConnection: i, targets: urls.count)
            figures[target].ready += 1
            figures[target].delivered += i < perConnection.count ? Int(perConnection[i]) : 0
            readyPerGroup[target][layout.group(ofConnection: i)] += 1
        }
        for t in figures.indices {
            figures[t].expected = layout.expectedDeliveries(messages: messages, readyPerGroup: readyPerGroup[t])
            if t < latency.count {
                figures[t].latP50Micros = latency[t].percentile(50)
                figures[t].latP99Micros = latency[t].percentile(99)
            }
        }
        return figures
    }
}
