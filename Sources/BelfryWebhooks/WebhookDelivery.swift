import BelfryManifest
import BelfryStore
import Foundation
import Logging
import ServiceLifecycle

/// Webhook delivery as a `Service`: it moves what `WebhookBuffer` holds into the SQLite outbox
/// (one transaction), and sends each endpoint's queue with up to `maxConcurrent` requests of at
/// most `requestTimeout`, retrying with backoff (`RetryPolicy`). It flushes `flushInterval`
/// after an event arrives in the empty buffer, then every `flushInterval` while events are queued
/// or requests run; with nothing to do it does not wake at all until the next event (an idle
/// server does not wake for webhooks).
///
/// One loop owns all state (`DeliveryLoop`); requests run as child tasks and report back
/// through a stream, so a slow or dead endpoint only holds its own request slots. On graceful
/// shutdown the buffer is flushed once more, no new request starts, and those running get
/// `drainTime` before they are cancelled: their rows stay in the outbox and go out after the
/// next start (at-least-once). Put it before the
/// server in the `ServiceGroup` so it stops after the server's drain raised its events.
///
/// ```swift
/// let buffer = WebhookBuffer()
/// options.webhookSink = buffer
/// let server = PusherServer(options: options, …)
/// let webhooks = WebhookDelivery(buffer: buffer, store: store, logger: logger) { server.currentConfiguration }
/// ```
public struct WebhookDelivery: Service {
    /// Delivery tuning; the defaults are the documented behaviour.
    public struct Settings: Sendable {
        public var maxConcurrent = 4
        public var requestTimeout: Duration = .seconds(10)
        public var flushInterval: Duration = .milliseconds(50)
        public var maxBatch = 100
        /// Outbox rows one app may have; past it new events are dropped and counted.
        public var maxQueuedPerApp = 100_000
        /// Payload bytes one app's outbox may hold (the queue is kept in memory too): 64 MiB.
        public var maxQueuedBytesPerApp = 64 << 20
        public var policy = RetryPolicy()
        /// At graceful shutdown, how long requests already sent may take before they are cancelled.
        public var drainTime: Duration = .seconds(2)

        public init() {}
    }

    private enum Message: Sendable {
        case tick
        /// An event arrived in the empty buffer: flush after `flushInterval`, so the events that
        /// follow it within that window go out together (and in order, in one batch).
        case wake
        case completed(WebhookEndpointRef, Int, RetryPolicy.Outcome)
        case shutdown
        case drainTimeUp
    }

    let buffer: WebhookBuffer
    let store: Store
    let logger: Logger
    let settings: Settings
    let config: @Sendable () -> ConfigSnapshot
    let transport: (any WebhookTransport)?
    let nowMs: @Sendable () -> Int64
    public let monitor: WebhookMonitor

    /// - Parameters:
    ///   - config: the configuration in force now (endpoints, keys and secrets are read from it
    ///     at each flush and each send).
    ///   - transport: nil: HTTP (async-http-client), created and shut down by `run`.
    public init(
        buffer: WebhookBuffer, store: Store, logger: Logger, settings: Settings = Settings(),
        monitor: WebhookMonitor = WebhookMonitor(), transport: (any WebhookTransport)? = nil,
        nowMs: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
        config: @escaping @Sendable () -> ConfigSnapshot
    ) {
        self.buffer = buffer
        self.store = store
        self.logger = logger
        self.settings = settings
        self.monitor = monitor
        self.transport = transport
        self.nowMs = nowMs
        self.config = config
    }

    public func run() async throws {
        let transport = self.transport ?? HTTPTransport()
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self)
        var loop = DeliveryLoop(
            settings: settings, store: store, logger: logger, nowMs: nowMs, jitter: { Double.random(in: 0..<1) })
        buffer.setWakeUp { continuation.yield(.wake) }
        await loop.load(config: config())
        monitor.setRunning(true)
        let interval = settings.flushInterval
        let timeout = settings.requestTimeout
        let drainTime = settings.drainTime
        defer { buffer.setWakeUp(nil) }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // A tick comes `interval` after `TickSchedule` asks for one; nothing to do, no tick.
                var schedule = TickSchedule()
                func tick(if asked: Bool) {
                    guard asked else { return }
                    group.addTask {
                        try? await Task.sleep(for: interval)
                        continuation.yield(.tick)
                    }
                }
                tick(if: schedule.started())
                // Set at graceful shutdown: no new requests, the running ones get `drainTime`.
                var draining = false
                receive: for await message in stream {
                    switch message {
                    case .wake:
                        tick(if: schedule.woken())
                        continue
                    case .tick:
                        await loop.flush(buffer.drain(), config: config())
                        let report = loop.report(running: true)
                        monitor.publish(report)
                        tick(if: schedule.ticked(workLeft: report.queued > 0 || loop.inFlight > 0))
                    case .completed(let endpoint, let number, let outcome):
                        loop.complete(endpoint, number: number, outcome: outcome)
                        if draining, loop.inFlight == 0 { break receive }
                        // Seen at once (status page, tests), not at the next tick; and a retry
                        // keeps the ticks coming.
                        let report = loop.report(running: true)
                        monitor.publish(report)
                        tick(if: schedule.answered(workLeft: report.queued > 0 || loop.inFlight > 0))
                    case .shutdown:
                        // The server has stopped (it is after us in the group): its last events
                        // are in the buffer.
                        monitor.setDraining()
                        await loop.flush(buffer.drain(), config: config())
                        if loop.inFlight == 0 { break receive }
                        draining = true
                        group.addTask {
                            try? await Task.sleep(for: drainTime)
                            continuation.yield(.drainTimeUp)
                        }
                    case .drainTimeUp:
                        break receive
                    }
                    guard !draining else { continue }
                    for dispatch in loop.dispatch(config: config()) {
                        group.addTask {
                            let outcome = await transport.send(dispatch.request, timeout: timeout)
                            continuation.yield(.completed(dispatch.endpoint, dispatch.number, outcome))
                        }
                    }
                }
                // Requests still running are cancelled: their rows stay for the next start.
                // What finished is deleted now, so it is not sent again.
                if draining { await loop.flush(buffer.drain(), config: config()) }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            continuation.yield(.shutdown)
        }
        continuation.finish()
        let report = loop.report(running: false)
        monitor.publish(report)
        if report.queued > 0 {
            logger.info(
                "webhook events stay in the outbox for the next start", metadata: ["queued": "\(report.queued)"])
        }
        await transport.shutdown()
    }
}
