import NIOCore
import NIOPosix

/// What the publish phase produced.
struct PublishPhase: Sendable {
    var state: PublishState
    var notes: [String]
}

extension BenchRun {
    /// Connects the K publishers, publishes, and waits until every expected frame arrived, no
    /// frame arrived for `--drain` seconds after the last response, or the deadline.
    func publish(
        driver: PublishDriver, address: ServerAddress, tls: TLSClient?, stats: [LoopStats], expected: Int, ready: Int,
        clock: RunClock
    ) async -> PublishPhase {
        var notes: [String] = []
        guard options.messages > 0 else { return PublishPhase(state: PublishState(), notes: notes) }
        let bootstrap = ClientBootstrap(group: driver.loop)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(
                .microseconds(Int64(max(1, min(UInt64(options.connectTimeout * 1e6), clock.remainingMicros))))
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try tls?.addHandler(to: channel)
                    try channel.pipeline.syncOperations.addHandler(PublisherHandler(driver: driver))
                }
            }
        for _ in 0..<options.publishers {
            do {
                _ = try await bootstrap.connect(host: address.host, port: address.port).get()
            } catch {
                notes.append("publisher connect failed: \(TLSClient.explain(error))")
            }
        }
        driver.loop.execute { driver.start() }

        let drainMicros = UInt64(options.drain * 1e6)
        var lastDelivered = -1
        var lastChange = MonotonicClock.micros()
        var lastProgress = lastChange
        while true {
            let (sent, finished, endMicros) =
                (try? await driver.loop.submit { (driver.state.sent, driver.state.finished, driver.state.endMicros) }
                    .get()) ?? (0, true, 0)
            let delivered = await deliveredSoFar(stats)
            let now = MonotonicClock.micros()
            if delivered != lastDelivered {
                lastDelivered = delivered
                lastChange = now
            }
            if finished && delivered >= expected { break }
            if finished && now - max(lastChange, endMicros) >= drainMicros { break }
            if clock.expired {
                notes.append("time limit of \(options.timeLimit) s reached")
                break
            }
            if now - lastProgress >= 1_000_000 {
                lastProgress = now
                report(
                    finished ? .drain : .publish, clock: clock, ready: ready, published: sent, delivered: delivered,
                    expected: expected)
            }
            try? await Task.sleep(nanoseconds: 2_000_000)
        }
        let state =
            (try? await driver.loop.submit {
                driver.stop(); return driver.state
            }.get()) ?? PublishState()
        return PublishPhase(state: state, notes: notes + state.notes)
    }

    /// Timestamped frames received so far, over all event loops.
    private func deliveredSoFar(_ stats: [LoopStats]) async -> Int {
        var total = 0
        for loopStats in stats {
            guard let loop = loopStats.loop else { continue }
            total += (try? await loop.submit { loopStats.delivered }.get()) ?? 0
        }
        return total
    }
}
