import BelfryManifest
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Takes the events the hubs and sessions raise, passes them through each app's `WebhookGate`
/// and hands what comes out to the sink. Events are raised only for apps with a webhook
/// endpoint; the busy kinds (`client_event`, `subscription_count`, connection events) only when
/// an endpoint asked for them.
///
/// `@unchecked Sendable`: `gates` is guarded by `lock` (short sections, no I/O under it).
final class WebhookDispatcher: @unchecked Sendable {
    private let sink: any WebhookSink
    private let store: ConfigStore
    private let lock = NIOLock()
    private var gates: [String: WebhookGate] = [:]
    private var timer: RepeatedTask?

    init(sink: any WebhookSink, store: ConfigStore) {
        self.sink = sink
        self.store = store
    }

    /// Releases delayed events four times a second on `loop`.
    func start(on loop: EventLoop) {
        timer = loop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) {
            [weak self] _ in
            self?.tick(now: Now.nanoseconds)
        }
    }

    /// Stops the timer and sends everything still held (graceful shutdown).
    func stop() {
        timer?.cancel()
        let held: [(String, [WebhookEvent])] = lock.withLock {
            var held: [(String, [WebhookEvent])] = []
            for appID in gates.keys {
                let events = gates[appID]!.flush()
                if !events.isEmpty { held.append((appID, events)) }
            }
            return held
        }
        for (appID, events) in held { sink.accept(appID: appID, events) }
    }

    /// Whether the app wants events of this kind at all (the cheap check before building one).
    func wants(_ name: WebhookEvent.Name, appID: String) -> Bool {
        guard let hooks = store.app(id: appID)?.webhooks, !hooks.isEmpty else { return false }
        switch name {
        case .clientEvent, .subscriptionCount, .connectionOpened, .connectionClosed:
            return hooks.contains { $0.events.contains(name.rawValue) }
        default:
            // The gate needs occupancy and membership to delay and cancel correctly.
            return true
        }
    }

    func raise(appID: String, _ event: WebhookEvent) {
        raise(appID: appID, [event])
    }

    func raise(appID: String, _ events: [WebhookEvent]) {
        let now = Now.nanoseconds
        let passed: [WebhookEvent] = lock.withLock {
            var gate = gates.removeValue(forKey: appID) ?? WebhookGate()
            let passed = events.flatMap { gate.pass($0, now: now) }
            gates[appID] = gate
            return passed
        }
        if !passed.isEmpty { sink.accept(appID: appID, passed) }
    }

    /// Events already decided and delayed cluster-wide (in Redis): straight to the sink.
    func decided(appID: String, _ events: [WebhookEvent]) {
        // A vacated channel's throttled counts are forgotten here, as the gate does for its own.
        let vacated = events.filter { $0.name == .channelVacated }.compactMap(\.channel)
        if !vacated.isEmpty {
            lock.withLock {
                for channel in vacated { gates[appID]?.forget(channel: channel) }
            }
        }
        let wanted = events.filter { wants($0.name, appID: appID) }
        if !wanted.isEmpty { sink.accept(appID: appID, wanted) }
    }

    func tick(now: UInt64) {
        let released: [(String, [WebhookEvent])] = lock.withLock {
            var released: [(String, [WebhookEvent])] = []
            for appID in Array(gates.keys) where gates[appID]!.hasPending {
                let events = gates[appID]!.due(now: now)
                if !events.isEmpty { released.append((appID, events)) }
            }
            // A deleted app's gate goes once it holds nothing.
            gates = gates.filter { $0.value.hasPending || store.app(id: $0.key) != nil }
            return released
        }
        for (appID, events) in released { sink.accept(appID: appID, events) }
    }
}

extension WebhookEvent {
    /// Milliseconds since 1970, now.
    static var nowMs: Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
