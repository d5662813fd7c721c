/// The figures of one run, named after wsload's keys so the two tools' results line up.
public struct BenchReport: Sendable, Equatable {
    // Scenario.
    public var protocolKind: BenchProtocol = .pusher
    public var connections = 0
    public var channels = 1
    public var messages = 0
    public var rate: Double = 0
    public var publishers = 1
    public var depth = 1
    // Connect phase.
    public var ready = 0
    public var failed = 0
    public var connTimeSeconds: Double = 0
    // Publish phase.
    public var published = 0
    public var pubOK = 0
    public var pubErr = 0
    public var pubTimeSeconds: Double = 0
    public var pubLatP50Micros: UInt64 = 0
    public var pubLatP99Micros: UInt64 = 0
    // Delivery.
    public var delivered = 0
    public var expected = 0
    public var minPerConn = 0
    public var deliverTimeSeconds: Double = 0
    public var latP50Micros: UInt64 = 0
    public var latP99Micros: UInt64 = 0
    public var latP999Micros: UInt64 = 0
    public var latMaxMicros: UInt64 = 0
    // Cost.
    public var clientCPUSeconds: Double = 0
    public var server: ServerFigures?
    /// The other `--server-pid`s' figures, in the order given (a cluster's other nodes).
    public var otherServers: [ServerFigures] = []
    /// Per subscriber target, only with `--subscribe-url`.
    public var targets: [TargetFigures] = []
    public var wallSeconds: Double = 0
    /// Why the run was cut short or what first went wrong, for the table (not in the JSON line).
    public var notes: [String] = []

    public init() {}

    public var connRate: Double { connTimeSeconds > 0 ? Double(ready) / connTimeSeconds : 0 }
    public var pubRPS: Double { pubTimeSeconds > 0 ? Double(pubOK) / pubTimeSeconds : 0 }
    public var lost: Int { expected - delivered }
    public var deliverRate: Double { deliverTimeSeconds > 0 ? Double(delivered) / deliverTimeSeconds : 0 }

    /// A note when a fixed `--rate` was not reached (each publisher connection waits for its
    /// `--depth` responses, so a slow fan-out caps the rate); nil when it was, or when flat out.
    public var rateShortfall: String? {
        guard rate > 0, messages > 1, pubTimeSeconds > 0, pubRPS < rate * 0.9 else { return nil }
        return "requested \(Int(rate)) msg/s, achieved \(Int(pubRPS.rounded())): add --publishers or --depth"
    }

    /// Exit status 0 needs every connection ready, every message published with a 2xx, nothing lost.
    public var succeeded: Bool {
        ready == connections && published == messages && pubOK == messages && pubErr == 0 && lost <= 0
    }
}

/// Server-side cost, sampled from /proc when `--server-pid` is given.
public struct ServerFigures: Sendable, Equatable {
    public var pid: Int32 = 0
    public var rssKBStart = 0
    public var rssKBReady = 0
    public var rssKBEnd = 0
    public var cpuConnectSeconds: Double = 0
    public var cpuPubSeconds: Double = 0

    public init() {}

    /// (RSS after all are ready − RSS before connecting) / ready connections, in bytes.
    public func rssPerConnBytes(ready: Int) -> Double {
        ready > 0 ? Double(rssKBReady - rssKBStart) * 1024 / Double(ready) : 0
    }

    /// Deliveries per server CPU-second in the publish phase.
    public func deliverPerCPUSecond(delivered: Int) -> Double {
        cpuPubSeconds > 0 ? Double(delivered) / cpuPubSeconds : 0
    }
}
