/// The once-a-second progress line written to stderr on long runs.
public struct ProgressLine: Sendable, Equatable {
    public enum Phase: String, Sendable { case connect, hold, publish, drain }

    public var phase: Phase
    public var elapsedSeconds: Double
    public var ready: Int
    public var connections: Int
    public var published: Int
    public var messages: Int
    public var delivered: Int
    public var expected: Int

    public init(
        phase: Phase, elapsedSeconds: Double, ready: Int, connections: Int, published: Int, messages: Int,
        delivered: Int, expected: Int
    ) {
        self.phase = phase
        self.elapsedSeconds = elapsedSeconds
        self.ready = ready
        self.connections = connections
        self.published = published
        self.messages = messages
        self.delivered = delivered
        self.expected = expected
    }

    /// `bench [12.0s] publish  ready 1000/1000  published 500/2000  delivered 480000/2000000`.
    public var text: String {
        "bench [\(elapsedSeconds.fixed(1))s] \(phase.rawValue)  ready \(ready)/\(connections)  "
            + "published \(published)/\(messages)  delivered \(delivered)/\(expected)"
    }
}
