import BelfryManifest
import BelfryServer
import BelfryStore
import Logging

/// The delivery service's state, owned by its one loop: the endpoint queues, the counters and
/// the outbox changes not written yet. Every method runs on that loop; none sends a request
/// (it returns them), only `flush` touches the database.
struct DeliveryLoop {
    /// A request ready to send, with what its result is reported against.
    struct Dispatch: Sendable {
        var endpoint: WebhookEndpointRef
        var number: Int
        var request: WebhookRequest
    }

    private struct Endpoint {
        var queue: EndpointQueue
        var webhook: App.Webhook
    }

    let settings: WebhookDelivery.Settings
    let store: Store
    let logger: Logger
    let nowMs: @Sendable () -> Int64
    let jitter: @Sendable () -> Double
    private var endpoints: [WebhookEndpointRef: Endpoint] = [:]
    private var counters: [String: WebhookAppStatistics] = [:]
    /// Rows routed but not written yet (a failed write is retried with the next flush).
    private var unsaved: [WebhookOutboxRow] = []
    private var deletes: [Int64] = []
    private var removed: [WebhookEndpointRef] = []
    private var writeFailing = false
    private var droppedSinceLog: [String: Int] = [:]
    private var lastDropLogMs: Int64 = 0

    init(
        settings: WebhookDelivery.Settings, store: Store, logger: Logger, nowMs: @escaping @Sendable () -> Int64,
        jitter: @escaping @Sendable () -> Double
    ) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.nowMs = nowMs
        self.jitter = jitter
    }

    /// Queues the rows a previous run left in the outbox; rows of endpoints no longer configured
    /// are deleted with the first flush and counted as dropped.
    mutating func load(config: ConfigSnapshot) async {
        syncEndpoints(config)
        let rows: [WebhookOutboxRow]
        do {
            rows = try await store.webhookOutbox()
        } catch {
            logger.error("cannot read the webhook outbox; queued events wait", metadata: ["error": "\(error)"])
            return
        }
        var byEndpoint: [WebhookEndpointRef: [EndpointQueue.Entry]] = [:]
        for row in rows {
            guard let id = row.id else { continue }
            byEndpoint[WebhookEndpointRef(app: row.app, url: row.url, slot: row.slot), default: []].append(
                .init(id: id, name: row.name, payload: row.payload, createdAtMs: row.createdAtMs))
        }
        var queued = 0
        var dropped = 0
        for (ref, entries) in byEndpoint {
            if endpoints[ref] != nil {
                endpoints[ref]?.queue.append(entries)
                queued += entries.count
            } else {
                removed.append(ref)
                counters[ref.app, default: .init(app: ref.app)].dropped += entries.count
                dropped += entries.count
            }
        }
        if !rows.isEmpty {
            logger.info(
                "webhook events left by the previous run",
                metadata: ["queued": "\(queued)", "dropped_endpoint_removed": "\(dropped)"])
        }
    }

    /// Brings the endpoints in line with `config`: new ones get a queue, removed ones lose theirs
    /// (their events counted as dropped, their rows deleted with this flush).
    private mutating func syncEndpoints(_ config: ConfigSnapshot) {
        var seen = Set<WebhookEndpointRef>()
        for app in config.apps {
            for (ref, webhook) in WebhookRouting.endpoints(of: app) {
                seen.insert(ref)
                if endpoints[ref] == nil {
                    endpoints[ref] = Endpoint(queue: EndpointQueue(policy: settings.policy), webhook: webhook)
                } else {
                    endpoints[ref]?.webhook = webhook
                }
            }
        }
        for (ref, var endpoint) in endpoints where !seen.contains(ref) {
            let dropped = endpoint.queue.removeAll()
            endpoints[ref] = nil
            removed.append(ref)
            unsaved.removeAll { $0.app == ref.app && $0.url == ref.url && $0.slot == ref.slot }
            counters[ref.app, default: .init(app: ref.app)].dropped += dropped
            if dropped > 0 {
                logger.notice(
                    "webhook endpoint removed; its queued events are dropped",
                    metadata: [
                        "app": "\(ref.app)", "url": "\(WebhookRequest.redacted(ref.url))", "events": "\(dropped)",
                    ])
            }
        }
    }

    /// Routes what the server raised, applies configuration changes and writes the outbox in
    /// one transaction; written rows join their endpoint's queue.
    mutating func flush(_ drained: WebhookBuffer.Drained, config: ConfigSnapshot) async {
        syncEndpoints(config)
        let droppedBefore = counters.mapValues(\.dropped)
        for (appID, count) in drained.dropped {
            let name = config.app(id: appID)?.name ?? appID
            counters[name, default: .init(app: name)].dropped += count
        }
        var depth: [String: (rows: Int, bytes: Int)] = [:]
        for (ref, endpoint) in endpoints {
            depth[ref.app, default: (0, 0)].rows += endpoint.queue.depth
            depth[ref.app, default: (0, 0)].bytes += endpoint.queue.bytes
        }
        for row in unsaved {
            depth[row.app, default: (0, 0)].rows += 1
            depth[row.app, default: (0, 0)].bytes += row.payload.utf8.count
        }
        for (appID, events) in drained.batches {
            guard let app = config.app(id: appID) else { continue }
            for row in WebhookRouting.route(events, app: app) {
                let size = row.payload.utf8.count
                let queued = depth[app.name, default: (0, 0)]
                if queued.rows >= settings.maxQueuedPerApp || queued.bytes + size > settings.maxQueuedBytesPerApp {
                    counters[app.name, default: .init(app: app.name)].dropped += 1
                    continue
                }
                depth[app.name] = (queued.rows + 1, queued.bytes + size)
                unsaved.append(row)
            }
        }
        logDrops(before: droppedBefore)
        let change = WebhookOutboxChange(inserts: unsaved, deletes: deletes, removedEndpoints: removed)
        guard !change.isEmpty else { return }
        let ids: [Int64]
        do {
            ids = try await store.applyWebhookOutbox(change).ids
        } catch {
            if !writeFailing {
                logger.error(
                    "cannot write the webhook outbox; retrying with the next flush", metadata: ["error": "\(error)"])
            }
            writeFailing = true
            return
        }
        if writeFailing { logger.notice("the webhook outbox is written again") }
        writeFailing = false
        deletes = []
        removed = []
        var appended: [WebhookEndpointRef: [EndpointQueue.Entry]] = [:]
        for (row, id) in zip(unsaved, ids) {
            appended[WebhookEndpointRef(app: row.app, url: row.url, slot: row.slot), default: []].append(
                .init(id: id, name: row.name, payload: row.payload, createdAtMs: row.createdAtMs))
        }
        unsaved = []
        for (ref, entries) in appended {
            if endpoints[ref] != nil {
                endpoints[ref]?.queue.append(entries)
            } else {
                deletes += entries.map(\.id)
            }
        }
    }

    /// Logs events dropped because the buffer or the outbox was full, at most every 10 s.
    private mutating func logDrops(before: [String: Int]) {
        for (app, counts) in counters where counts.dropped > before[app, default: 0] {
            droppedSinceLog[app, default: 0] += counts.dropped - before[app, default: 0]
        }
        let now = nowMs()
        guard !droppedSinceLog.isEmpty, now - lastDropLogMs >= 10_000 else { return }
        for (app, count) in droppedSinceLog.sorted(by: { $0.key < $1.key }) {
            logger.warning(
                "webhook events dropped: the buffer or the app's outbox is full",
                metadata: ["app": "\(app)", "events": "\(count)", "limit": "\(settings.maxQueuedPerApp)"])
        }
        droppedSinceLog = [:]
        lastDropLogMs = now
    }

    /// The requests to send now, signed with the app's key and secret in force at this moment.
    mutating func dispatch(config: ConfigSnapshot) -> [Dispatch] {
        let now = nowMs()
        var out: [Dispatch] = []
        var apps: [String: App]?
        for (ref, var endpoint) in endpoints where endpoint.queue.hasWaiting {
            if apps == nil { apps = Dictionary(config.apps.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }) }
            guard let app = apps?[ref.app] else { continue }
            let queueSettings = EndpointQueue.Settings(
                batch: endpoint.webhook.batch, maxConcurrent: settings.maxConcurrent, maxBatch: settings.maxBatch)
            while let next = endpoint.queue.next(nowMs: now, settings: queueSettings) {
                let request = WebhookRequest(
                    url: ref.url, payloads: next.entries.map(\.payload), timeMs: now, key: app.key, secret: app.secret,
                    extra: endpoint.webhook.headers)
                out.append(Dispatch(endpoint: ref, number: next.number, request: request))
            }
            endpoints[ref] = endpoint
        }
        return out
    }

    /// Applies a request's result: deletes, counters, one log line per failure sequence.
    mutating func complete(_ endpoint: WebhookEndpointRef, number: Int, outcome: RetryPolicy.Outcome) {
        guard var state = endpoints[endpoint] else { return }  // removed meanwhile: rows already gone
        let result = state.queue.complete(number, outcome: outcome, nowMs: nowMs(), jitter: jitter())
        endpoints[endpoint] = state
        deletes += result.deleteIDs
        var counts = counters[endpoint.app, default: .init(app: endpoint.app)]
        counts.sent += result.sent
        counts.failed += result.failed
        counts.retried += result.retried
        counts.dropped += result.expired
        if result.sent > 0 {
            counts.latencyMsSum += result.latencyMsSum
            counts.latencyCount += result.sent
        }
        counters[endpoint.app] = counts
        guard let log = result.log else { return }
        var metadata: Logger.Metadata = ["app": "\(endpoint.app)", "url": "\(WebhookRequest.redacted(endpoint.url))"]
        switch log {
        case .failing(let reason, let retry):
            metadata["error"] = "\(reason)"
            metadata["retry_in_seconds"] = "\(Int(retry.rounded(.up)))"
            logger.warning("webhook delivery failed; retrying with backoff", metadata: metadata)
        case .rejected(let status, let events):
            metadata["status"] = "\(status == 0 ? "unusable url" : String(status))"
            metadata["events"] = "\(events)"
            logger.warning("webhook rejected by the receiver; events dropped", metadata: metadata)
        case .gaveUp(let reason, let events):
            metadata["error"] = "\(reason)"
            metadata["events"] = "\(events)"
            logger.error("webhook delivery given up after 5 minutes; events dropped", metadata: metadata)
        case .recovered(let failures):
            metadata["failed_attempts"] = "\(failures)"
            logger.notice("webhook endpoint answers again", metadata: metadata)
        }
    }

    /// Requests sent and not answered yet, over all endpoints.
    var inFlight: Int { endpoints.values.reduce(0) { $0 + $1.queue.inFlightRequests } }

    /// The figures for metrics, the status page and `/readyz`.
    func report(running: Bool) -> WebhookReport {
        var report = WebhookReport()
        report.running = running
        var apps = counters
        for (ref, endpoint) in endpoints.sorted(by: { $0.key < $1.key }) {
            let queue = endpoint.queue
            apps[ref.app, default: .init(app: ref.app)].queued += queue.depth
            if let oldest = queue.oldestCreatedAtMs {
                report.oldestCreatedAtMs = min(report.oldestCreatedAtMs ?? .max, oldest)
            }
            report.endpoints.append(
                WebhookEndpointStatus(
                    app: ref.app, url: WebhookRequest.redacted(ref.url), queued: queue.depth,
                    lastSuccessMs: queue.lastSuccessMs, lastFailureMs: queue.lastFailure?.atMs,
                    lastFailure: queue.lastFailure?.reason, failures: queue.failures))
        }
        for row in unsaved { apps[row.app, default: .init(app: row.app)].queued += 1 }
        report.apps = apps.values.sorted { $0.app < $1.app }
        return report
    }
}
