import BelfryManifest
import BelfryServer
import BelfryStore
import BelfryTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import BelfryWebhooks

/// Records requests and answers each with `answer(n)` (n counts from 0).
private final class FakeTransport: WebhookTransport {
    let requests = Mutex<[WebhookRequest]>([])
    let answer: @Sendable (Int) -> RetryPolicy.Outcome
    /// When set, every request waits for it to open (a request held in flight); a request
    /// cancelled meanwhile answers as a connection error, as a real one would.
    let gate: Gate?

    init(gate: Gate? = nil, answer: @escaping @Sendable (Int) -> RetryPolicy.Outcome) {
        self.gate = gate
        self.answer = answer
    }

    func send(_ request: WebhookRequest, timeout: Duration) async -> RetryPolicy.Outcome {
        let n = requests.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        if let gate {
            await gate.wait()
            if Task.isCancelled { return .retryable(reason: "cancelled", retryAfter: nil) }
        }
        return answer(n)
    }

    func shutdown() async {}

    var bodies: [String] { requests.withLock { $0.map { String(decoding: $0.body, as: UTF8.self) } } }
}

/// Holds requests until the test opens it: waiting on an event, not on the clock.
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resume = state.withLock { state -> Bool in
                    if state.open { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if resume { continuation.resume() }
            }
        } onCancel: {
            self.open()
        }
    }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

/// The configuration the service reads, changeable by the test.
private final class LiveConfig: Sendable {
    let box: Mutex<ConfigSnapshot>
    init(_ snapshot: ConfigSnapshot) { box = Mutex(snapshot) }
    var current: ConfigSnapshot { box.withLock { $0 } }
    func set(_ snapshot: ConfigSnapshot) { box.withLock { $0 = snapshot } }
}

@Suite struct WebhookDeliveryTests {
    private static func config(webhooks: [App.Webhook]) -> ConfigSnapshot {
        ConfigSnapshot(apps: [App(name: "chat", id: "1", key: "chat-key", secret: "chat-secret", webhooks: webhooks)])
    }

    private static let hook = App.Webhook(url: "http://receiver/hook", events: ["channel_occupied"])

    /// Polls `condition` every 10 ms for up to 60 s. The deadline only bounds a failing test: the
    /// whole suite starts at once on two cores, and a passing wait here has taken 4.8 s (a CI
    /// run with a 5 s deadline failed four of these tests without a defect).
    private func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        if try await !Poll.until(timeout: .seconds(60), every: .milliseconds(10), condition) {
            Issue.record("timed out waiting for \(what)")
        }
    }

    private func withService(
        store: Store, buffer: WebhookBuffer, config: LiveConfig, transport: FakeTransport,
        settings: WebhookDelivery.Settings = .init(), _ body: (WebhookMonitor) async throws -> Void
    ) async throws {
        let monitor = WebhookMonitor()
        let service = WebhookDelivery(
            buffer: buffer, store: store, logger: Logger(label: "test"), settings: settings, monitor: monitor,
            transport: transport
        ) { config.current }
        try await withThrowingTaskGroup { group in
            group.addTask { try await service.run() }
            try await body(monitor)
            group.cancelAll()
        }
    }

    /// An idle service has no tick coming (`TickScheduleTests`): events are sent because their
    /// arrival in the empty buffer wakes it. The first is accepted once the start tick has
    /// published its report (the configured endpoint listed), so only the wake can send it.
    @Test func anEventWakesAnIdleService() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("belfry-hooks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: path) }
        let store = try Store.open(path: path.appendingPathComponent(Store.fileName).path)
        defer { try? store.close() }
        let buffer = WebhookBuffer()
        let working = FakeTransport { _ in .delivered(status: 200) }
        let config = LiveConfig(Self.config(webhooks: [Self.hook]))
        try await withService(store: store, buffer: buffer, config: config, transport: working) { monitor in
            try await eventually("the start tick's report") { monitor.report.endpoints.count == 1 }
            for round in 1...2 {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                buffer.accept(appID: "1", [WebhookEvent(.channelOccupied, channel: "c\(round)", timeMs: now)])
                try await eventually("request \(round) answered") {
                    monitor.report.apps.first { $0.app == "chat" }?.sent == round
                }
            }
        }
    }

    @Test func eventsGoThroughTheOutboxAndQueuedOnesSurviveARestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("belfry-hooks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: path) }
        let config = LiveConfig(Self.config(webhooks: [Self.hook]))
        let buffer = WebhookBuffer()
        let now = Int64(Date().timeIntervalSince1970 * 1000)

        // First run: the receiver answers 503, so the event stays queued in the database.
        var store = try Store.open(path: path.appendingPathComponent(Store.fileName).path)
        let failing = FakeTransport { _ in .retryable(reason: "503", retryAfter: nil) }
        try await withService(store: store, buffer: buffer, config: config, transport: failing) { monitor in
            buffer.accept(appID: "1", [WebhookEvent(.channelOccupied, channel: "a", timeMs: now)])
            try await eventually("a failed attempt") { monitor.report.endpoints.first?.failures ?? 0 > 0 }
            #expect(monitor.report.apps.first?.queued == 1)
            #expect(try await store.webhookOutbox().count == 1)
        }
        try store.close()

        // Second run on the same file: the event is delivered, signed, and its row deleted.
        store = try Store.open(path: path.appendingPathComponent(Store.fileName).path)
        let working = FakeTransport { _ in .delivered(status: 200) }
        try await withService(store: store, buffer: buffer, config: config, transport: working) { monitor in
            try await eventually("the delivery") { monitor.report.apps.first?.sent == 1 }
            try await eventually("the row's deletion") { try await store.webhookOutbox().isEmpty }
        }
        #expect(working.bodies.count == 1)
        #expect(working.bodies[0].hasSuffix(#","events":[{"name":"channel_occupied","channel":"a"}]}"#))
        let headers = working.requests.withLock { $0[0].headers }
        #expect(headers.first { $0.name == "X-Pusher-Key" }?.value == "chat-key")
        try store.close()
    }

    @Test func aRemovedEndpointsQueueIsDroppedAndCounted() async throws {
        let store = try Store.openInMemory()
        let config = LiveConfig(Self.config(webhooks: [Self.hook]))
        let buffer = WebhookBuffer()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let transport = FakeTransport { _ in .retryable(reason: "503", retryAfter: 60) }
        try await withService(store: store, buffer: buffer, config: config, transport: transport) { monitor in
            buffer.accept(
                appID: "1", (0..<3).map { WebhookEvent(.channelOccupied, channel: "c\($0)", timeMs: now) })
            try await eventually("three queued events") { monitor.report.apps.first?.queued == 3 }
            config.set(Self.config(webhooks: []))
            try await eventually("the queue's removal") {
                monitor.report.apps.first.map { $0.queued == 0 && $0.dropped == 3 } ?? false
            }
            try await eventually("the rows' deletion") { try await store.webhookOutbox().isEmpty }
        }
    }

    /// Runs the service in a `ServiceGroup`, calls `body`, then shuts the group down gracefully.
    /// Runs `body` with the service running, then shuts it down gracefully; `afterTrigger` runs
    /// once the shutdown has been asked for, while the service may still be draining.
    private func withGracefulShutdown(
        _ service: WebhookDelivery, afterTrigger: @Sendable () async throws -> Void = {},
        _ body: () async throws -> Void
    ) async throws {
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [], logger: Logger(label: "test")))
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await afterTrigger()
            try await tasks.waitForAll()
        }
    }

    @Test func gracefulShutdownWritesWhatIsBuffered() async throws {
        let store = try Store.openInMemory()
        let config = LiveConfig(Self.config(webhooks: [Self.hook]))
        let buffer = WebhookBuffer()
        var settings = WebhookDelivery.Settings()
        settings.flushInterval = .seconds(3600)  // only the shutdown flush writes
        let transport = FakeTransport { _ in .delivered(status: 200) }
        let service = WebhookDelivery(
            buffer: buffer, store: store, logger: Logger(label: "test"), settings: settings, transport: transport
        ) { config.current }
        try await withGracefulShutdown(service) {
            buffer.accept(appID: "1", [WebhookEvent(.channelOccupied, channel: "late", timeMs: 1)])
        }
        #expect(try await store.webhookOutbox().map(\.payload) == [#"{"name":"channel_occupied","channel":"late"}"#])
        #expect(transport.bodies.isEmpty)
    }

    @Test func gracefulShutdownLetsARunningRequestFinish() async throws {
        let store = try Store.openInMemory()
        let config = LiveConfig(Self.config(webhooks: [Self.hook]))
        let buffer = WebhookBuffer()
        let gate = Gate()
        let transport = FakeTransport(gate: gate) { _ in .delivered(status: 200) }
        let monitor = WebhookMonitor()
        let service = WebhookDelivery(
            buffer: buffer, store: store, logger: Logger(label: "test"), monitor: monitor, transport: transport
        ) { config.current }
        // The request is held in flight until the service is draining.
        try await withGracefulShutdown(
            service,
            afterTrigger: {
                try await eventually("the drain") { monitor.report.draining }
                gate.open()
            }
        ) {
            buffer.accept(appID: "1", [WebhookEvent(.channelOccupied, channel: "a", timeMs: 1)])
            try await eventually("the request") { !transport.bodies.isEmpty }
        }
        #expect(monitor.report.apps.first?.sent == 1)
        #expect(try await store.webhookOutbox().isEmpty)
    }

    @Test func anAppsOutboxIsBounded() async throws {
        let store = try Store.openInMemory()
        let config = LiveConfig(Self.config(webhooks: [Self.hook]))
        let buffer = WebhookBuffer()
        var settings = WebhookDelivery.Settings()
        settings.maxQueuedPerApp = 2
        let transport = FakeTransport { _ in .retryable(reason: "503", retryAfter: 60) }
        let monitor = WebhookMonitor()
        let service = WebhookDelivery(
            buffer: buffer, store: store, logger: Logger(label: "test"), settings: settings, monitor: monitor,
            transport: transport
        ) { config.current }
        try await withGracefulShutdown(service) {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            buffer.accept(appID: "1", (0..<5).map { WebhookEvent(.channelOccupied, channel: "c\($0)", timeMs: now) })
            try await eventually("the bound") {
                monitor.report.apps.first.map { $0.queued == 2 && $0.dropped == 3 } ?? false
            }
        }
        #expect(try await store.webhookOutbox().map(\.payload).count == 2)
    }

    @Test func aFullBufferDropsAndCounts() {
        let buffer = WebhookBuffer(capacity: 2)
        let event = WebhookEvent(.channelOccupied, channel: "a", timeMs: 1)
        buffer.accept(appID: "1", [event])
        buffer.accept(appID: "1", [event, event])  // would pass the bound: dropped whole
        buffer.accept(appID: "2", [event])
        buffer.accept(appID: "2", [event])
        #expect(buffer.count == 2)
        let drained = buffer.drain()
        #expect(drained.batches.map(\.appID) == ["1", "2"])
        #expect(drained.dropped == ["1": 2, "2": 1])
        #expect(buffer.count == 0 && buffer.drain().batches.isEmpty)
    }
}
