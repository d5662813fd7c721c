/// How connections and messages map onto channels, and so how many deliveries to expect.
public struct ChannelLayout: Sendable, Equatable {
    public var prefix: String
    /// Number of channels (G >= 1).
    public var count: Int

    public init(prefix: String, count: Int) {
        self.prefix = prefix
        self.count = count
    }

    /// The name of channel `group`: `<prefix>-<group>`.
    public func name(_ group: Int) -> String { "\(prefix)-\(group)" }

    /// Connection i subscribes to channel i % G.
    public func group(ofConnection index: Int) -> Int { index % count }

    /// The server (index into the subscriber targets) connection i connects to, with `targets`
    /// servers: the k-th subscriber of each channel (k = i / G) goes to server k % targets, so
    /// every channel with at least `targets` subscribers has some on every server, and the
    /// servers get N / targets connections each (± 1 per channel). With one channel this is
    /// plain round-robin, i % targets.
    public func target(ofConnection index: Int, targets: Int) -> Int {
        targets > 1 ? (index / count) % targets : 0
    }

    /// Message j is published to channel j % G.
    public func group(ofMessage seq: Int) -> Int { seq % count }

    /// Sum over messages of the ready subscribers on that message's channel.
    /// - Parameter readyPerGroup: ready subscriber count per channel, `count` entries.
    public func expectedDeliveries(messages: Int, readyPerGroup: [Int]) -> Int {
        var total = 0
        for group in 0..<count {
            let perGroup = messages / count + (group < messages % count ? 1 : 0)
            total += perGroup * (group < readyPerGroup.count ? readyPerGroup[group] : 0)
        }
        return total
    }
}
