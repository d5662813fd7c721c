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
    /// Where the ticks run (set by `start`), whether one is scheduled, and whether `stop` ran.
    private var loop: EventLoop?
    private var armed = false
    private var stopped = false

    /// How long after an event is held the first tick comes, and then between ticks while any
    /// event is held.
    static let tickInterval: TimeAmount = .milliseconds(250)

    init(sink: any WebhookSink, store: ConfigStore) {
        self.sink = sink
        self.store = store
    }

    /// Releases delayed events on `loop`: four times a second while any is held, not at all
    /// while none is (an idle server does not wake for webhooks).
    func start(on loop: EventLoop) {
        let next = lock.withLock {
            self.loop = loop
            return armIfHolding()
        }
        scheduleTick(on: next)
    }

    /// Whether a tick is scheduled (for tests).
    var isArmed: Bool { lock.withLock { armed } }

    /// Stops the ticks and sends everything still held (graceful shutdown).
    func stop() {
        let held: [(String, [WebhookEvent])] = lock.withLock {
            stopped = true
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
        store.withApp(id: appID) { app in
            guard !app.webhooks.isEmpty else { return false }
            switch name {
            case .clientEvent, .subscriptionCount, .connectionOpened, .connectionClosed:
                return app.webhooks.contains { $0.events.contains(name.rawValue) }
            default:
                // The gate needs occupancy and membership to delay and cancel correctly.
                return true
            }
        } ?? false
    }

    func raise(appID: String, _ event: WebhookEvent) {
        raise(appID: appID, [event])
    }

    func raise(appID: String, _ events: [WebhookEvent]) {
        let now = Now.nanoseconds
        let (passed, next): ([WebhookEvent], EventLoop?) = lock.withLock {
            var gate = gates.removeValue(forKey: appID) ?? WebhookGate()
            let passed = events.flatMap { gate.pass($0, now: now) }
            gates[appID] = gate
            return (passed, armed ? nil : armIfHolding(gate))
        }
        scheduleTick(on: next)
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
        let (released, next): ([(String, [WebhookEvent])], EventLoop?) = lock.withLock {
            armed = false
            var released: [(String, [WebhookEvent])] = []
            for appID in Array(gates.keys) where gates[appID]!.hasPending {
                let events = gates[appID]!.due(now: now)
                if !events.isEmpty { released.append((appID, events)) }
            }
            // A deleted app's gate goes once it holds nothing.
            gates = gates.filter { $0.value.hasPending || store.app(id: $0.key) != nil }
            return (released, armIfHolding())
        }
        scheduleTick(on: next)
        for (appID, events) in released { sink.accept(appID: appID, events) }
    }

    /// Under `lock`: marks a tick scheduled and returns its loop when one is needed (something
    /// held, in `gate` or else in any gate) and none is scheduled yet.
    private func armIfHolding(_ gate: WebhookGate? = nil) -> EventLoop? {
        guard !armed, !stopped, let loop else { return nil }
        let holding = gate.map(\.hasPending) ?? gates.values.contains { $0.hasPending }
        guard holding else { return nil }
        armed = true
        return loop
    }

    private func scheduleTick(on loop: EventLoop?) {
        loop?.scheduleTask(in: Self.tickInterval) { [weak self] in self?.tick(now: Now.nanoseconds) }
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
