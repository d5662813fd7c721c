import NIOCore
import NIOPosix

/// Runs one benchmark: connect N subscribers, optionally hold, publish M events, wait for the
/// deliveries, and measure. Every phase is bounded by `--time-limit`.
///
/// Example:
/// ```swift
/// var options = BenchOptions()
/// options.connections = 100
/// let report = try await BenchRun(options: options).run()
/// print(report.jsonLine())
/// ```
public struct BenchRun: Sendable {
    public let options: BenchOptions
    /// Called about once a second with the run's progress (nil: silent).
    public let progress: (@Sendable (ProgressLine) -> Void)?

    public init(options: BenchOptions, progress: (@Sendable (ProgressLine) -> Void)? = nil) {
        self.options = options
        self.progress = progress
    }

    /// Runs the benchmark; throws `BenchOptionsError` for unusable options, otherwise reports
    /// whatever happened (failures are figures in the report, not errors).
    public func run() async throws -> BenchReport {
        if let error = options.validate() { throw error }
        let address = try ServerAddress.parse(options.url).get()
        let tls = try address.tls ? TLSClient(host: address.host, insecure: options.insecure) : nil
        let targets = try options.subscriberTargets.map { url in
            let target = try ServerAddress.parse(url).get()
            return SubscriberTarget(
                address: target, tls: target.tls ? try TLSClient(host: target.host, insecure: options.insecure) : nil)
        }
        let targetStats = options.subscribeURLs.isEmpty ? 0 : targets.count
        let clock = RunClock(start: MonotonicClock.micros(), limitSeconds: options.timeLimit)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        var stats: [ObjectIdentifier: LoopStats] = [:]
        for loop in group.makeIterator() {
            stats[ObjectIdentifier(loop)] = LoopStats(
                connections: options.connections, loop: loop, targets: targetStats)
        }
        let samplers = options.serverPIDs.map { ProcSampler(pid: $0) }
        var report = scenario()
        var servers = samplers.map { sampler in
            var figures = ServerFigures()
            figures.pid = sampler.pid
            figures.rssKBStart = sampler.rssKilobytes() ?? 0
            return figures
        }
        let cpuStart = samplers.map { $0.cpuSeconds() ?? 0 }

        let connector = SubscriberConnector(group: group, options: options, targets: targets, stats: stats)
        let connected = await connectAll(connector, clock: clock)
        report.ready = connected.ready
        report.failed = options.connections - connected.ready
        report.connTimeSeconds = connected.seconds
        if let failure = connected.firstFailure { report.notes.append("first connect failure: \(failure)") }
        for (i, sampler) in samplers.enumerated() {
            servers[i].rssKBReady = sampler.rssKilobytes() ?? 0
            servers[i].cpuConnectSeconds = (sampler.cpuSeconds() ?? 0) - cpuStart[i]
        }
        if options.hold > 0 {
            await hold(clock: clock, ready: connected.ready)
            for (i, sampler) in samplers.enumerated() { servers[i].rssKBReady = sampler.rssKilobytes() ?? 0 }
        }
        report.expected = options.layout.expectedDeliveries(
            messages: options.messages, readyPerGroup: connected.readyPerGroup)

        let driver = PublishDriver(
            loop: group.next(), request: PublishRequest(options: options, address: address), options: options)
        let cpuPubStart = samplers.map { $0.cpuSeconds() ?? 0 }
        let published = await publish(
            driver: driver, address: address, tls: tls, stats: Array(stats.values), expected: report.expected,
            ready: connected.ready, clock: clock)
        for (i, sampler) in samplers.enumerated() {
            servers[i].cpuPubSeconds = (sampler.cpuSeconds() ?? 0) - cpuPubStart[i]
        }
        report.notes += published.notes

        var merged = LoopStatsSnapshot(
            latency: LatencyHistogram(), targetLatency: Array(repeating: LatencyHistogram(), count: targetStats),
            delivered: 0, lastFrameMicros: 0,
            perConnection: Array(repeating: 0, count: options.connections), closedAfterReady: 0)
        for loopStats in stats.values {
            guard let loop = loopStats.loop, let snapshot = try? await loop.submit({ loopStats.snapshot }).get()
            else { continue }
            merged.latency.merge(snapshot.latency)
            for t in snapshot.targetLatency.indices { merged.targetLatency[t].merge(snapshot.targetLatency[t]) }
            merged.delivered += snapshot.delivered
            merged.lastFrameMicros = max(merged.lastFrameMicros, snapshot.lastFrameMicros)
            merged.closedAfterReady += snapshot.closedAfterReady
            for i in 0..<options.connections { merged.perConnection[i] &+= snapshot.perConnection[i] }
        }
        fill(&report, publish: published.state, deliveries: merged, readyIndices: connected.readyIndices)
        if targetStats > 0 {
            report.targets = TargetFigures.tally(
                urls: options.subscriberTargets, layout: options.layout, messages: options.messages,
                readyIndices: connected.readyIndices, perConnection: merged.perConnection,
                latency: merged.targetLatency)
        }
        if let shortfall = report.rateShortfall { report.notes.append(shortfall) }
        if merged.closedAfterReady > 0 {
            report.notes.append("\(merged.closedAfterReady) connections closed by the server after ready")
        }

        for channel in connected.channels { channel.close(promise: nil) }
        driver.loop.execute { driver.closeAll() }
        try? await group.shutdownGracefully()
        for (i, sampler) in samplers.enumerated() { servers[i].rssKBEnd = sampler.rssKilobytes() ?? 0 }
        report.server = servers.first
        report.otherServers = Array(servers.dropFirst())
        report.clientCPUSeconds = MonotonicClock.processCPUSeconds()
        report.wallSeconds = Double(MonotonicClock.micros() - clock.start) / 1e6
        return report
    }

    private func scenario() -> BenchReport {
        var report = BenchReport()
        report.protocolKind = options.protocolKind
        report.connections = options.connections
        report.channels = options.channels
        report.messages = options.messages
        report.rate = options.rate
        report.publishers = options.publishers
        report.depth = options.depth
        return report
    }

    /// Turns the publish counters and merged delivery stats into report figures.
    private func fill(
        _ report: inout BenchReport, publish: PublishState, deliveries: LoopStatsSnapshot, readyIndices: [Bool]
    ) {
        report.published = publish.sent
        report.pubOK = publish.ok
        report.pubErr = publish.err
        if publish.endMicros > publish.startMicros {
            report.pubTimeSeconds = Double(publish.endMicros - publish.startMicros) / 1e6
        }
        report.pubLatP50Micros = publish.rtt.percentile(50)
        report.pubLatP99Micros = publish.rtt.percentile(99)
        report.delivered = deliveries.delivered
        if publish.startMicros > 0, deliveries.lastFrameMicros > publish.startMicros {
            report.deliverTimeSeconds = Double(deliveries.lastFrameMicros - publish.startMicros) / 1e6
        }
        report.latP50Micros = deliveries.latency.percentile(50)
        report.latP99Micros = deliveries.latency.percentile(99)
        report.latP999Micros = deliveries.latency.percentile(99.9)
        report.latMaxMicros = deliveries.latency.max
        let counts = deliveries.perConnection.indices.filter { readyIndices[$0] }.map {
            Int(deliveries.perConnection[$0])
        }
        report.minPerConn = counts.min() ?? 0
    }
}

/// The run's start and hard deadline, in monotonic microseconds.
struct RunClock: Sendable {
    let start: UInt64
    let deadline: UInt64

    init(start: UInt64, limitSeconds: Double) {
        self.start = start
        self.deadline = start + UInt64(limitSeconds * 1e6)
    }

    var elapsedSeconds: Double { Double(MonotonicClock.micros() - start) / 1e6 }
    var remainingMicros: UInt64 {
        let now = MonotonicClock.micros()
        return deadline > now ? deadline - now : 0
    }
    var expired: Bool { remainingMicros == 0 }
}
