import BelfryServer
import BelfryStatus
import BelfryStore
import BelfryWebhooks
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Every few seconds, turns the server's cumulative counters into per-minute deltas and writes
/// them to SQLite in one transaction (never a write per message); folds old minutes into hours
/// and applies retention. A restart loses at most one interval of counts (and, on a quiet
/// server, up to a minute of connection samples: `StatsFolding`).
struct StatsFlusher: Service {
    let server: PusherServer
    let store: Store
    let interval: Duration
    let logger: Logger
    let health: DatabaseHealth
    private let previous = PreviousCounters()
    /// Quiet flushes (a connection sample and nothing else) wait for the next one with news.
    private let folding = Folding()

    /// Per-minute rates for the status page, sampled at every flush.
    let rates: LiveRates?

    /// Webhook outcomes, counted per minute like the rest (deltas of the delivery's totals).
    let webhooks: WebhookMonitor?
    private let previousWebhooks = PreviousWebhooks()

    init(
        server: PusherServer, store: Store, interval: Duration, logger: Logger, health: DatabaseHealth,
        rates: LiveRates? = nil, webhooks: WebhookMonitor? = nil
    ) {
        self.rates = rates
        self.webhooks = webhooks
        self.health = health
        self.server = server
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        var lastRollUp = Date.distantPast
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let now = Date()
            await flush(now: now)
            if now.timeIntervalSince(lastRollUp) > 300 {
                do {
                    try await store.rollUpStats(now: now)
                    lastRollUp = now
                } catch {
                    logger.error("cannot roll statistics up", metadata: ["error": "\(error)"])
                }
            }
        }
        // What happened during the drain. The group cancels this task when another service fails
        // (a port already in use, say); an unstructured task is not cancelled with it, so the last
        // flush still reaches the database instead of failing with CancellationError.
        let flusher = self
        await Task { await flusher.flush(now: Date(), final: true) }.value
    }

    /// Writes the deltas since the previous flush, stamped with the current minute. A write that
    /// fails (a full disk) loses nothing: the baselines are put back, so the next flush that
    /// succeeds carries these counts too. A batch with nothing but a connection sample is held
    /// (`StatsFolding`) and written with the next one that has news, at the latest in the next
    /// minute; `final` writes it now.
    func flush(now: Date, final: Bool = false) async {
        let minute = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60)
        var batch: [AppMinuteStats] = []
        var baselines: [(String, AppCounters.Snapshot?)] = []
        var totals: [String: LiveRates.Totals] = [:]
        for app in server.statistics(resetPeaks: true) {
            let current = app.counters
            totals[app.name] = LiveRates.Totals(
                messagesIn: current.messagesReceived, messagesOut: current.messagesDelivered,
                errors: ErrorMeaning.count(disconnections: current.disconnections, rejections: current.rejections))
            let before = previous.swap(app.appID, current)
            baselines.append((app.appID, before))
            var stats = AppMinuteStats(app: app.name, minute: minute)
            stats.peakConnections = current.peakConnections
            stats.sampleConnections(current.connections)
            stats.sampleChannels(current.peakChannels)
            func delta(_ keyPath: KeyPath<AppCounters.Snapshot, Int>) -> Int {
                let now = current[keyPath: keyPath]
                let then = before?[keyPath: keyPath] ?? 0
                return now >= then ? now - then : now  // counters restart when an app is re-created
            }
            func delta(_ keyPath: KeyPath<AppCounters.Snapshot, [String: Int]>) -> [String: Int] {
                current[keyPath: keyPath].reduce(into: [:]) { result, entry in
                    let then = before?[keyPath: keyPath][entry.key] ?? 0
                    let change = entry.value >= then ? entry.value - then : entry.value
                    if change > 0 { result[entry.key] = change }
                }
            }
            stats.newConnections = delta(\.newConnections)
            stats.subscriptions = delta(\.subscriptions)
            stats.messagesReceived = delta(\.messagesReceived)
            stats.messagesDelivered = delta(\.messagesDelivered)
            stats.bytesIn = delta(\.bytesIn)
            stats.bytesOut = delta(\.bytesOut)
            stats.disconnections = delta(\.disconnections)
            stats.apiRequests = delta(\.apiRequests)
            stats.rejections = delta(\.rejections)
            batch.append(stats)
        }
        rates?.record(at: now.timeIntervalSince1970, totals)
        let webhookBaseline = addWebhookDeltas(to: &batch, minute: minute)
        guard let rows = folding.state.withLock({ $0.rows(toWrite: batch, final: final) }) else {
            health.flushed(at: now)  // up to date: nothing new to write
            return
        }
        do {
            try await store.recordMinuteStats(rows)
            folding.state.withLock { $0.wrote(rows) }
            health.set(nil)
            health.flushed(at: now)
        } catch {
            for (appID, before) in baselines { previous.restore(appID, before) }
            folding.state.withLock { $0.failedToWrite(rows) }
            previousWebhooks.box.withLock { $0 = webhookBaseline }
            health.set("cannot write to the database: \(error)")
            logger.error("cannot write statistics; kept for the next flush", metadata: ["error": "\(error)"])
        }
    }
}

extension StatsFlusher {
    /// Adds each app's webhook outcomes since the previous flush to its row of `batch` (a row of
    /// its own for an app no longer configured); returns the baseline to restore if the write
    /// fails.
    func addWebhookDeltas(to batch: inout [AppMinuteStats], minute: Date) -> [String: WebhookAppStatistics] {
        guard let report = webhooks?.report else { return [:] }
        let before = previousWebhooks.box.withLock { previous in
            defer { previous = Dictionary(report.apps.map { ($0.app, $0) }) { $1 } }
            return previous
        }
        for app in report.apps {
            let then = before[app.app] ?? WebhookAppStatistics(app: app.app)
            var delta: [String: Int] = [:]
            for (name, now, old) in [
                ("sent", app.sent, then.sent), ("failed", app.failed, then.failed),
                ("retried", app.retried, then.retried), ("dropped", app.dropped, then.dropped),
            ] {
                let change = now >= old ? now - old : now
                if change > 0 { delta[name] = change }
            }
            guard !delta.isEmpty else { continue }
            if let index = batch.firstIndex(where: { $0.app == app.app }) {
                batch[index].webhooks.merge(delta, uniquingKeysWith: +)
            } else {
                var stats = AppMinuteStats(app: app.app, minute: minute)
                stats.webhooks = delta
                batch.append(stats)
            }
        }
        return before
    }
}

/// The flusher's `StatsFolding`.
final class Folding: Sendable {
    let state = Mutex(StatsFolding())
}

/// The webhook totals seen at the previous flush, per app name.
final class PreviousWebhooks: Sendable {
    let box = Mutex<[String: WebhookAppStatistics]>([:])
}

/// The counters seen at the previous flush, per app id.
final class PreviousCounters: Sendable {
    private let box = Mutex<[String: AppCounters.Snapshot]>([:])

    func swap(_ appID: String, _ snapshot: AppCounters.Snapshot) -> AppCounters.Snapshot? {
        box.withLock { values in
            defer { values[appID] = snapshot }
            return values[appID]
        }
    }

    /// Puts back the baseline a failed flush replaced.
    func restore(_ appID: String, _ snapshot: AppCounters.Snapshot?) {
        box.withLock { $0[appID] = snapshot }
    }
}

/// Whether the last database write worked; `/readyz` reports it as the `database` check.
final class DatabaseHealth: Sendable {
    private let problem = Mutex<String?>(nil)
    private let lastFlush = Mutex<Date?>(nil)
    private let startup = Mutex<String?>(nil)

    /// The database could not be written at start-up.
    func setStartupProblem(_ value: String?) { startup.withLock { $0 = value } }
    var startupProblem: String? { startup.withLock { $0 } }

    func set(_ value: String?) { problem.withLock { $0 = value } }
    var current: String? { problem.withLock { $0 } }

    /// A statistics flush reached the database.
    func flushed(at date: Date) { lastFlush.withLock { $0 = date } }
    var lastFlushAt: Date? { lastFlush.withLock { $0 } }
}
