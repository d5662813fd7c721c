import BelfryCluster
import BelfryJSON
import BelfryManifest
import BelfryPlan
import BelfryReconciler
import BelfryServer
import BelfryStore
import BelfryWebhooks
import Foundation
import PusherProtocol

/// The admin port's routes: health, readiness and metrics, reconcile status and trigger
/// (`/api/v1/reconcile`), the OpenAPI document of `/api/v1` (`/api/v1/openapi.json`) and the
/// reconciler's internal API (`/internal/v1/state`, `/internal/v1/apply`). Who may call which is
/// `AdminAccess`'s decision, made before this runs.
struct AdminRoutes: Sendable {
    let server: PusherServer
    let reconciler: Reconciler
    let store: Store
    let webhooks: WebhookMonitor
    let cluster: ClusterNode?
    /// The status page (login, pages, assets, `/api/v1/status`).
    let status: StatusRoutes?
    /// `/api/v1/apps…` and `/api/v1/users…`: provisioning through git.
    var management: ManagementAPI?

    /// Routes a request `AdminAccess` (and, where it asked, `StatusSessions`) has let through.
    func handle(_ request: AdminServer.Request) async -> AdminServer.Response {
        if let status, let response = await status.handle(request) { return response }
        if let management, let response = await management.handle(request) { return response }
        switch (request.method == "HEAD" ? "GET" : request.method, request.path) {
        case ("GET", "/healthz"): return .init(body: #"{"status":"ok"}"#)
        case ("GET", "/readyz"):
            let (ready, body) = server.readiness(verbose: request.query("verbose") != nil)
            return .init(status: ready ? 200 : 503, body: body)
        case ("GET", "/api/v1/reconcile"): return await status()
        case ("GET", "/metrics"):
            return .init(
                body: MetricsExport.render(
                    server.statistics(), reconcile: reconciler.status, descriptors: server.descriptorStatus,
                    webhooks: webhooks.report, cluster: cluster?.status),
                contentType: "text/plain; version=0.0.4")
        case ("GET", "/api/v1/stats"): return await stats(request)
        case ("GET", "/api/v1/openapi.json"):
            // The document of /api/v1, kept in the repository (scripts/openapi.py) and embedded.
            return .init(body: String(decoding: PackageResources.openapi_json, as: UTF8.self))
        case ("POST", "/api/v1/reconcile"):
            reconciler.trigger(.manual)
            return .init(status: 202, body: #"{"triggered":true}"#)
        case ("GET", _) where request.path.hasPrefix("/internal/v1/apps/") && request.path.hasSuffix("/secret"):
            return await generatedSecret(request.path)
        case ("GET", "/internal/v1/state"):
            return .init(body: server.currentConfiguration.json(secrets: .digest).serialized)
        case ("POST", "/internal/v1/apply"):
            return await apply(request.body)
        default:
            return .init(status: 404, body: APIError.notFound("No route for \(request.method) \(request.path)").body)
        }
    }

    /// Applies a whole configuration sent by `belfry reconcile`. It is checked here with exactly
    /// the schemas and rules of `belfry validate` (as manifests), secrets must be given as values
    /// (a `secretDigest` from `/internal/v1/state` is not a secret), and it is saved before it
    /// goes live: a configuration that cannot be saved is not applied.
    private func apply(_ body: [UInt8]) async -> AdminServer.Response {
        guard let json = try? JSONParser.parse(body), let config = json["config"],
            var snapshot = ConfigSnapshot(json: config, secrets: .include)
        else {
            return .init(
                status: 400,
                body: APIError.badRequest(
                    "Body must be {\"config\": {apps, users, revision}} with each app's \"secret\" (not a digest)"
                ).body)
        }
        if let digest = snapshot.apps.first(where: { ConfigSnapshot.looksLikeDigest($0.secret) }) {
            return .init(
                status: 400,
                body: APIError.badRequest("App \(digest.name): the secret is a digest from /internal/v1/state").body)
        }
        if let digest = snapshot.users.first(where: { ConfigSnapshot.looksLikeDigest($0.passwordHash) }) {
            return .init(
                status: 400,
                body: APIError.badRequest(
                    "User \(digest.name): the password hash is a digest from /internal/v1/state"
                ).body)
        }
        let set = ManifestSet(
            snapshot.manifestFiles().map { ManifestDecoder.decode(yaml: $0.text, file: $0.path) })
        let errors = set.errors + set.wholeSetErrors(source: ".")
        guard errors.isEmpty else {
            return .init(
                status: 422,
                body: JSONValue.object([
                    ("error", .string("The configuration is invalid")),
                    ("errors", .array(errors.map { .string($0.description) })),
                ]).serialized)
        }
        // An empty secret means "the one Belfry generated for this app" (created on first use).
        var apps = snapshot.apps
        for index in apps.indices where apps[index].secret.isEmpty {
            guard let generated = try? await store.generateIfMissing(app: apps[index].name) else {
                return .init(status: 503, body: APIError(503, "Cannot store a generated secret; nothing applied").body)
            }
            apps[index].secret = generated
        }
        snapshot = ConfigSnapshot(apps: apps, users: snapshot.users, revision: snapshot.revision)
        do {
            try await store.saveApplied(snapshot, revision: snapshot.revision, source: "internal API")
        } catch {
            return .init(
                status: 503, body: APIError(503, "Cannot save the configuration; nothing applied: \(error)").body)
        }
        let effects = server.apply(snapshot)
        let result = JSONValue.object([
            ("applied", .bool(true)), ("revision", .string(snapshot.revision)),
            ("closedConnections", .number(String(effects.closedConnections))),
            ("deletedApps", .array(effects.deleted.map { .string($0) })),
            ("disabledApps", .array(effects.disabled.map { .string($0) })),
        ])
        return .init(body: result.serialized)
    }

    /// `GET /internal/v1/apps/{name}/secret`: the secret Belfry generated for an app whose
    /// manifest gives none (the only place it is shown).
    private func generatedSecret(_ path: String) async -> AdminServer.Response {
        let name = String(path.dropFirst("/internal/v1/apps/".count).dropLast("/secret".count))
        guard let secret = try? await store.credential(forApp: name) else {
            return .init(status: 404, body: APIError.notFound("No generated secret for app \(name)").body)
        }
        return .init(body: JSONValue.object([("app", .string(name)), ("secret", .string(secret))]).serialized)
    }

    /// `GET /api/v1/stats?[app=…]&from=…&to=…&by=minute|hour|day[&profile=true][&format=csv]`:
    /// `belfry stats` over HTTP (every app and their total without `app`; 404 for an unknown app).
    private func stats(_ request: AdminServer.Request) async -> AdminServer.Response {
        func param(_ name: String) -> String? { request.query.first { $0.0 == name }?.1 }
        let now = Date()
        guard let from = StatsTime.parse(param("from") ?? "-24h", now: now),
            let to = StatsTime.parse(param("to") ?? "now", now: now), from < to
        else {
            return .init(
                status: 400, body: APIError.badRequest("from/to must be ISO 8601 or -24h style, from < to").body)
        }
        guard let by = StatsResolution(rawValue: param("by") ?? "hour") else {
            return .init(status: 400, body: APIError.badRequest("by must be minute, hour or day").body)
        }
        let profile = ["true", "1"].contains(param("profile") ?? "false")
        do {
            let answer = try await store.answer(
                StatsQuery(app: param("app"), from: from, to: to, by: by, profile: profile))
            if param("format") == "csv" { return .init(body: answer.render(.csv), contentType: "text/csv") }
            return .init(body: answer.render(.json))
        } catch let unknown as UnknownStatsApp {
            return .init(status: 404, body: APIError.notFound(unknown.description).body)
        } catch {
            return .init(status: 500, body: APIError(500, "Cannot read statistics: \(error)").body)
        }
    }

    private func status() async -> AdminServer.Response {
        let status = reconciler.status
        let history = (try? await store.recentPasses(limit: 20)) ?? []
        let passes: [JSONValue] = history.map { pass in
            var fields: [(String, JSONValue)] = [
                ("startedAt", .string(ISO8601DateFormatter().string(from: pass.startedAt))),
                ("durationMs", .number(String(pass.durationMs))), ("trigger", .string(pass.trigger.rawValue)),
                ("result", .string(pass.result.rawValue)),
            ]
            for (key, value) in [
                ("revision", pass.revision), ("label", pass.shortRevision), ("author", pass.author),
                ("message", pass.message), ("plan", pass.planSummary), ("error", pass.error),
            ] {
                if let value { fields.append((key, .string(value))) }
            }
            return .object(fields)
        }
        let body = JSONValue.object([
            ("lastResult", status.lastPass.map { .string($0.result.rawValue) } ?? .null),
            ("lastAttemptedRevision", status.lastPass?.revision.map { .string($0) } ?? .null),
            ("lastAppliedRevision", status.lastAppliedRevision.map { .string($0) } ?? .null),
            ("consecutiveFailures", .number(String(status.consecutiveFailures))),
            ("history", .array(passes)),
        ])
        return .init(body: body.serialized)
    }
}
