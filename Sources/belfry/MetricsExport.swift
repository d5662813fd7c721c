import BelfryCluster
import BelfryReconciler
import BelfryServer
import BelfryWebhooks
import Prometheus

/// `GET /metrics` in the Prometheus text format, built from the server's counters at scrape
/// time. Names follow Soketi's (`soketi_connected` → `belfry_connected`, …) with an `app_id`
/// label, plus reconcile metrics.
enum MetricsExport {
    static func render(
        _ apps: [PusherServer.AppStatistics], reconcile: ReconcileStatus, descriptors: DescriptorBudget.Status,
        webhooks: WebhookReport = WebhookReport(), cluster: ClusterNode.Status? = nil
    ) -> String {
        let registry = PrometheusCollectorRegistry()
        registry.makeGauge(descriptor: descriptor("belfry_public_sockets", "Open sockets of the public port"))
            .set(Double(descriptors.open))
        registry.makeGauge(
            descriptor: descriptor("belfry_public_sockets_limit", "Public sockets past which upgrades are refused")
        ).set(Double(descriptors.softLimit))
        registry.makeGauge(descriptor: descriptor("belfry_process_descriptor_limit", "RLIMIT_NOFILE of the process"))
            .set(Double(descriptors.processLimit))
        registry.makeGauge(
            descriptor: descriptor(
                "belfry_descriptor_pressure", "1 while descriptors are exhausted or were in the last 10 s")
        )
        .set(Double(descriptors.underPressure ? 1 : 0))
        counter(
            registry, "belfry_refused_sockets_total", [], descriptors.refused,
            "Sockets closed on accept because the public port's descriptor budget was spent")
        counter(
            registry, "belfry_accept_errors_total", [], descriptors.acceptErrors,
            "Failed accept calls (EMFILE, ENFILE), each followed by a 100 ms back-off")
        for app in apps {
            let labels = [("app_id", app.appID), ("app", app.name)]
            let c = app.counters
            registry.makeGauge(descriptor: descriptor("belfry_connected", "Open WebSocket connections"), labels: labels)
                .set(Double(c.connections))
            registry.makeGauge(descriptor: descriptor("belfry_channels", "Occupied channels"), labels: labels).set(
                Double(c.channels))
            counter(
                registry, "belfry_new_connections_total", labels, c.newConnections, "Accepted WebSocket connections")
            counter(
                registry, "belfry_new_disconnections_total", labels, c.disconnections.values.reduce(0, +),
                "Closed WebSocket connections")
            counter(
                registry, "belfry_socket_received_bytes", labels, c.bytesIn - c.httpBytesIn,
                "WebSocket frame bytes received, headers included")
            counter(
                registry, "belfry_socket_transmitted_bytes", labels, c.bytesOut - c.httpBytesOut,
                "WebSocket frame bytes sent, headers included")
            counter(registry, "belfry_http_received_bytes", labels, c.httpBytesIn, "HTTP API request bytes received")
            counter(
                registry, "belfry_http_transmitted_bytes", labels, c.httpBytesOut, "HTTP API response bytes sent")
            counter(registry, "belfry_ws_messages_received_total", labels, c.messagesReceived, "Client events received")
            counter(registry, "belfry_ws_messages_sent_total", labels, c.messagesDelivered, "Channel events delivered")
            counter(registry, "belfry_subscriptions_total", labels, c.subscriptions, "Channel subscriptions")
            counter(
                registry, "belfry_http_calls_received_total", labels, c.apiRequests.values.reduce(0, +),
                "HTTP API requests")
            for (reason, count) in c.rejections {
                counter(registry, "belfry_rejections_total", labels + [("reason", reason)], count, "Refusals by reason")
            }
        }
        renderWebhooks(webhooks, into: registry)
        if let cluster { renderCluster(cluster, into: registry) }
        let last = reconcile.lastPass
        registry.makeGauge(
            descriptor: descriptor(
                "belfry_reconcile_consecutive_failures", "Reconcile passes in a row that could not read the source")
        )
        .set(Double(reconcile.consecutiveFailures))
        if let last {
            registry.makeGauge(
                descriptor: descriptor(
                    "belfry_reconcile_last_pass_timestamp_seconds", "Start of the newest reconcile pass"),
                labels: [("result", last.result.rawValue)]
            ).set(last.startedAt)
        }
        if let revision = reconcile.lastAppliedRevision {
            registry.makeGauge(
                descriptor: descriptor("belfry_reconcile_applied_revision", "The applied revision (always 1)"),
                labels: [("revision", revision)]
            ).set(Double(1))
        }
        return registry.emitToString()
    }

    /// Per-app webhook delivery: events sent, failed, retried and dropped, the queue, latency.
    private static func renderWebhooks(_ report: WebhookReport, into registry: PrometheusCollectorRegistry) {
        for app in report.apps {
            let labels = [("app", app.app)]
            counter(registry, "belfry_webhooks_sent_total", labels, app.sent, "Webhook events delivered (2xx)")
            counter(
                registry, "belfry_webhooks_failed_total", labels, app.failed,
                "Webhook events refused by the receiver (4xx other than 408, 425, 429) and dropped")
            counter(
                registry, "belfry_webhooks_retried_total", labels, app.retried,
                "Webhook events put back for another attempt after a timeout, connection error, 408, 425, 429 or 5xx")
            counter(
                registry, "belfry_webhooks_dropped_total", labels, app.dropped,
                "Webhook events dropped: buffer or outbox full, given up after 5 minutes, endpoint removed")
            registry.makeGauge(
                descriptor: descriptor("belfry_webhooks_queued", "Webhook events waiting in the outbox"), labels: labels
            ).set(Double(app.queued))
            registry.makeCounter(
                descriptor: descriptor(
                    "belfry_webhooks_delivery_seconds_sum", "Sum of delivered events' time from creation to 2xx"),
                labels: labels
            ).increment(by: Double(app.latencyMsSum) / 1000)
            counter(
                registry, "belfry_webhooks_delivery_seconds_count", labels, app.latencyCount,
                "Delivered events measured in belfry_webhooks_delivery_seconds_sum")
        }
    }

    /// The cluster as this node sees it: its link, the live nodes and their connections, and
    /// what crossed the bus.
    private static func renderCluster(_ status: ClusterNode.Status, into registry: PrometheusCollectorRegistry) {
        registry.makeGauge(descriptor: descriptor("belfry_cluster_link_up", "1 while the link to Redis is up"))
            .set(Double(status.connected ? 1 : 0))
        registry.makeGauge(
            descriptor: descriptor("belfry_cluster_nodes", "Live nodes, this one included, as of the last heartbeat")
        ).set(Double(status.nodes.count))
        for node in status.nodes {
            registry.makeGauge(
                descriptor: descriptor("belfry_cluster_node_connections", "Open connections of each live node"),
                labels: [("node", node.id), ("address", node.address)]
            ).set(Double(node.totalConnections))
        }
        counter(
            registry, "belfry_cluster_published_total", [], status.published,
            "Messages this node published to the other nodes")
        counter(
            registry, "belfry_cluster_received_total", [], status.received,
            "Messages from other nodes delivered to this node's sockets")
        counter(
            registry, "belfry_cluster_dropped_total", [], status.dropped,
            "Messages for other nodes lost because the link to Redis was down")
        counter(
            registry, "belfry_cluster_bus_pauses_total", [], status.busPauses,
            "Times this node stopped reading the cluster bus because its event loops were behind")
        counter(
            registry, "belfry_cluster_sync_failures_total", [], status.syncFailures,
            "Channel share writes that failed (written again when the link allows)")
        counter(registry, "belfry_cluster_reaped_nodes_total", [], status.reaped, "Dead nodes this node reaped")
    }

    /// `belfry_<name>` with its help text.
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "belfry", metricName: String(name.dropFirst("belfry_".count)), unitName: "", helpText: help)
    }

    private static func counter(
        _ registry: PrometheusCollectorRegistry, _ name: String, _ labels: [(String, String)], _ value: Int,
        _ help: String
    ) {
        registry.makeCounter(descriptor: descriptor(name, help), labels: labels).increment(by: Int64(value))
    }
}
