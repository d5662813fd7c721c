import NIOCore

/// What the connect phase produced.
struct ConnectPhase: Sendable {
    var channels: [Channel] = []
    var ready = 0
    var readyIndices: [Bool]
    var readyPerGroup: [Int]
    var seconds: Double = 0
    var firstFailure: ConnectFailure?
}

extension BenchRun {
    /// Opens all N subscribers, at most C handshakes in flight, each bounded by the connect
    /// timeout and the run's deadline.
    func connectAll(_ connector: SubscriberConnector, clock: RunClock) async -> ConnectPhase {
        let n = options.connections
        var phase = ConnectPhase(
            readyIndices: Array(repeating: false, count: n), readyPerGroup: Array(repeating: 0, count: options.channels)
        )
        let start = MonotonicClock.micros()
        var lastReady = start
        var lastProgress = start
        var failed = 0
        await withTaskGroup(of: ConnectOutcome.self) { group in
            var next = 0
            func launch() {
                let index = next
                next += 1
                let budget = min(UInt64(options.connectTimeout * 1e6), clock.remainingMicros)
                guard budget > 0 else {
                    group.addTask { ConnectOutcome(index: index, failure: .timeout) }
                    return
                }
                let future = connector.connect(index: index, timeout: .microseconds(Int64(budget)))
                group.addTask { (try? await future.get()) ?? ConnectOutcome(index: index, failure: .closed) }
            }
            while next < min(n, options.connectConcurrency) { launch() }
            while let outcome = await group.next() {
                if let channel = outcome.channel { phase.channels.append(channel) }
                if let ready = outcome.readyMicros {
                    phase.ready += 1
                    phase.readyIndices[outcome.index] = true
                    phase.readyPerGroup[options.layout.group(ofConnection: outcome.index)] += 1
                    lastReady = max(lastReady, ready)
                } else {
                    failed += 1
                    if phase.firstFailure == nil { phase.firstFailure = outcome.failure }
                }
                if next < n { launch() }
                let now = MonotonicClock.micros()
                if now - lastProgress >= 1_000_000 {
                    lastProgress = now
                    report(.connect, clock: clock, ready: phase.ready)
                }
            }
        }
        phase.seconds = phase.ready > 0 ? Double(lastReady - start) / 1e6 : 0
        return phase
    }

    /// Keeps the idle connections open for `--hold` seconds (bounded by the deadline).
    func hold(clock: RunClock, ready: Int) async {
        let end = min(MonotonicClock.micros() + UInt64(options.hold * 1e6), clock.deadline)
        var lastProgress = MonotonicClock.micros()
        while MonotonicClock.micros() < end {
            try? await Task.sleep(nanoseconds: 20_000_000)
            if MonotonicClock.micros() - lastProgress >= 1_000_000 {
                lastProgress = MonotonicClock.micros()
                report(.hold, clock: clock, ready: ready)
            }
        }
    }

    /// Sends a progress line.
    func report(
        _ phase: ProgressLine.Phase, clock: RunClock, ready: Int, published: Int = 0, delivered: Int = 0,
        expected: Int = 0
    ) {
        progress?(
            ProgressLine(
                phase: phase, elapsedSeconds: clock.elapsedSeconds, ready: ready, connections: options.connections,
                published: published, messages: options.messages, delivered: delivered, expected: expected))
    }
}
