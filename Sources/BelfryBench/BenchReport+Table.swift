/// The human-readable two-column table (measure, value with unit) printed before the JSON line.
extension BenchReport {
    /// The rows, server rows only when the server was sampled.
    public var rows: [(String, String)] {
        var rows: [(String, String)] = [
            ("scenario", scenario),
            ("connections ready", "\(ready) / \(connections)" + (failed > 0 ? " (\(failed) failed)" : "")),
            ("connect time", "\(connTimeSeconds.fixed(3)) s"),
            ("connect rate", "\(connRate.fixed(0)) conn/s"),
            ("published", "\(published) / \(messages) (\(pubOK) ok, \(pubErr) errors)"),
            ("publish rate", "\(pubRPS.fixed(0)) req/s over \(pubTimeSeconds.fixed(3)) s"),
            ("publish latency p50 / p99", "\(Self.ms(pubLatP50Micros)) / \(Self.ms(pubLatP99Micros))"),
            ("delivered", "\(delivered) / \(expected) (lost \(lost), min per conn \(minPerConn))"),
            ("delivery rate", "\(deliverRate.fixed(0)) msg/s over \(deliverTimeSeconds.fixed(3)) s"),
            ("latency p50", Self.ms(latP50Micros)), ("latency p99", Self.ms(latP99Micros)),
            ("latency p99.9", Self.ms(latP999Micros)), ("latency max", Self.ms(latMaxMicros)),
            ("client CPU", "\(clientCPUSeconds.fixed(2)) s"),
        ]
        if let s = server {
            rows += [
                ("server RSS start / ready / end", "\(s.rssKBStart) / \(s.rssKBReady) / \(s.rssKBEnd) kB"),
                ("server RSS per connection", "\(s.rssPerConnBytes(ready: ready).fixed(0)) B"),
                ("server CPU connect / publish", "\(s.cpuConnectSeconds.fixed(2)) / \(s.cpuPubSeconds.fixed(2)) s"),
                ("deliveries per server CPU-s", s.deliverPerCPUSecond(delivered: delivered).fixed(0)),
            ]
        }
        for (n, other) in otherServers.enumerated() {
            rows += [
                ("server \(n + 2) (pid \(other.pid)) RSS ready", "\(other.rssKBReady) kB"),
                (
                    "server \(n + 2) (pid \(other.pid)) CPU connect / publish",
                    "\(other.cpuConnectSeconds.fixed(2)) / \(other.cpuPubSeconds.fixed(2)) s"
                ),
            ]
        }
        for (n, target) in targets.enumerated() {
            rows.append(
                (
                    "subscribers \(n + 1) (\(target.url))",
                    "\(target.ready) ready, delivered \(target.delivered) / \(target.expected), p50 / p99 "
                        + "\(Self.ms(target.latP50Micros)) / \(Self.ms(target.latP99Micros))"
                ))
        }
        rows.append(("wall time", "\(wallSeconds.fixed(3)) s"))
        rows += notes.map { ("note", $0) }
        return rows
    }

    /// The table as text, one row per line, the measure column padded.
    public func table() -> String {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }
            .joined(separator: "\n") + "\n"
    }

    private var scenario: String {
        let pace = rate > 0 ? "\(rate.fixed(rate == rate.rounded() ? 0 : 2)) msg/s" : "flat out"
        return "\(protocolKind.rawValue), \(connections) conns on \(channels) channel(s), \(messages) msgs \(pace), "
            + "\(publishers) publisher(s) x depth \(depth)"
    }

    /// Microseconds as milliseconds with three decimals.
    static func ms(_ micros: UInt64) -> String { (Double(micros) / 1000).fixed(3) + " ms" }
}
