import BelfryCluster
import BelfryJSON
import BelfryManifest
import BelfryReconciler
import BelfryServer
import BelfryStatus
import BelfryStore
import BelfryWebhooks
import Foundation
import PusherProtocol

/// The status page on the admin port: login and logout, the overview (`/`), an app's page
/// (`/apps/NAME`), its charts alone (`/apps/NAME/charts`), the live figures the pages poll
/// (`/api/v1/status`) and the stylesheet and script (`/assets/…`).
///
/// Read-only: nothing here changes the configuration. `AdminAccess` and `StatusSessions` have
/// decided who gets in before a route runs; `request.signedIn` is the user.
struct StatusRoutes: Sendable {
    let server: PusherServer
    let reconciler: Reconciler
    let store: Store
    let sessions: StatusSessions
    let rates: LiveRates
    let probe: ServerProbe
    let webhooks: WebhookMonitor
    /// This node's cluster membership; nil when it runs alone.
    let cluster: ClusterNode?
    let pages = StatusPages()
    let startedAt: Date
    let source: String
    let drift: String

    /// The response for a status page route, or nil when the path is not one.
    func handle(_ request: AdminServer.Request) async -> AdminServer.Response? {
        let method = request.method == "HEAD" ? "GET" : request.method
        switch (method, request.path) {
        case ("GET", "/login"): return loginForm(request)
        case ("POST", "/login"): return await login(request)
        case ("POST", "/logout"): return await logout(request)
        case ("GET", "/"): return await overview(request)
        case ("GET", "/api/v1/status"): return await liveStatus()
        case ("GET", let path) where path.hasPrefix("/assets/"):
            guard let asset = StatusPages.asset(String(path.dropFirst("/assets/".count))) else { return nil }
            return .init(body: asset.body, contentType: asset.contentType)
        case ("GET", let path) where path.hasPrefix("/apps/"):
            let rest = path.dropFirst("/apps/".count)
            if rest.hasSuffix("/charts") {
                return await charts(app: String(rest.dropLast("/charts".count)), request: request)
            }
            return await appPage(String(rest), request: request)
        default: return nil
        }
    }

    // MARK: Login and logout

    private func loginForm(_ request: AdminServer.Request, error: String? = nil, status: Int = 200, email: String = "")
        -> AdminServer.Response
    {
        // The login form's CSRF token: a random value in a cookie and in the form (double submit),
        // on top of SameSite=Strict and the cross-site check of every POST.
        let token = Store.randomHex(bytes: 16)
        let next = Self.safeNext(request.query("next") ?? formValue(request, "next") ?? "/")
        let body = pages.login(
            LoginPage(error: error, email: email, next: next, loginCSRF: token),
            frame: PageFrame(title: "Sign in", user: nil, asOf: Format.dateTime(Date())))
        return .init(
            status: status, body: body, contentType: "text/html; charset=utf-8",
            headers: [
                (
                    "Set-Cookie",
                    StatusSessions.cookie(StatusSessions.loginCookie, token, maxAge: 3600, secure: request.isTLS)
                )
            ])
    }

    private func login(_ request: AdminServer.Request) async -> AdminServer.Response {
        let email = (formValue(request, "email") ?? "").trimmingCharacters(in: .whitespaces)
        let password = formValue(request, "password") ?? ""
        guard let expected = request.cookie(StatusSessions.loginCookie), let presented = formValue(request, "csrf"),
            Signature.constantTimeEquals(expected, presented)
        else {
            return loginForm(
                request, error: "The sign-in form expired. Please try again.", status: 403,
                email: String(email.prefix(254)))
        }
        switch await sessions.login(
            email: email, password: password, address: request.remoteAddress, secure: request.isTLS)
        {
        case .signedIn(_, let cookie):
            let next = Self.safeNext(formValue(request, "next") ?? "/")
            return .redirect(
                to: next,
                headers: [
                    ("Set-Cookie", cookie),
                    (
                        "Set-Cookie",
                        StatusSessions.cookie(StatusSessions.loginCookie, "", maxAge: 0, secure: request.isTLS)
                    ),
                ])
        case .refused(let status, let message):
            return loginForm(request, error: message, status: status, email: String(email.prefix(254)))
        }
    }

    private func logout(_ request: AdminServer.Request) async -> AdminServer.Response {
        guard let session = sessions.session(of: request), let token = formValue(request, "csrf"),
            sessions.codec.checkCSRF(token, for: session)
        else {
            return .init(
                status: 403, body: APIError(403, "Missing or wrong form token: reload the page and sign out again").body
            )
        }
        do {
            try await sessions.logout(session)
        } catch {
            return .init(status: 503, body: APIError(503, "Cannot record the logout; still signed in: \(error)").body)
        }
        return .redirect(
            to: "/login",
            headers: [
                (
                    "Set-Cookie",
                    StatusSessions.cookie(StatusSessions.sessionCookie, "", maxAge: 0, secure: request.isTLS)
                )
            ])
    }

    /// A path of this site to return to after login; anything else (`//evil`, `https://…`) is `/`.
    static func safeNext(_ next: String) -> String {
        guard next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
            !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }), next.count <= 512
        else { return "/" }
        return next
    }

    private func formValue(_ request: AdminServer.Request, _ name: String) -> String? {
        guard request.method == "POST" else { return nil }
        let body = String(decoding: request.body, as: UTF8.self)
        return QueryString.parse(Substring(body)).first { $0.0 == name }?.1
    }

    // MARK: Pages

    private func frame(_ request: AdminServer.Request, title: String) -> PageFrame {
        PageFrame(
            title: title, user: request.signedIn?.user ?? "admin token", csrf: request.signedIn?.csrf ?? "",
            asOf: Format.dateTime(Date()), statusURL: "/api/v1/status")
    }

    private func html(_ body: String, status: Int = 200) -> AdminServer.Response {
        .init(status: status, body: body, contentType: "text/html; charset=utf-8")
    }

    private func overview(_ request: AdminServer.Request) async -> AdminServer.Response {
        let (ready, readyBody) = server.readiness()
        let problems = Self.problems(readyBody)
        let health = OverviewPage.Health(
            ready: ready, problems: problems,
            uptime: Format.duration(seconds: Int(Date().timeIntervalSince(startedAt))),
            version: Belfry.version, node: ProcessInfo.processInfo.hostName)
        let history = (try? await store.recentPasses(limit: 20)) ?? []
        let passes = history.map { pass in
            PassRow(
                time: Format.dateTime(pass.startedAt), timeISO: Format.iso(pass.startedAt),
                trigger: pass.trigger.rawValue, revision: pass.shortRevision ?? "—", author: pass.author,
                subject: pass.message.map { String($0.split(separator: "\n").first ?? "") } ?? "",
                plan: pass.planSummary ?? "", result: pass.result.rawValue, error: pass.error)
        }
        let page = OverviewPage(
            health: health, sync: syncStatus(), apps: await appRows(), server: await serverHealth(), passes: passes,
            cluster: clusterPanel())
        return html(pages.overview(page, frame: frame(request, title: "Overview")))
    }

    private func appPage(_ name: String, request: AdminServer.Request) async -> AdminServer.Response {
        let config = server.currentConfiguration
        guard let app = config.apps.first(where: { $0.name == name }) else {
            return html(
                pages.error(
                    heading: "No app named \(name)", message: "The applied configuration has no such app.",
                    frame: frame(request, title: "Not found")), status: 404)
        }
        let range = StatsRange(rawValue: request.query("range") ?? "hour") ?? .hour
        let now = Date()
        let rows = (try? await store.stats(app: name, from: range.start(now), to: now, by: range.resolution)) ?? []
        let profileRows =
            (try? await store.stats(app: name, from: now.addingTimeInterval(-30 * 86400), to: now, by: .hour)) ?? []
        let profile = StatsProfile(
            app: name, from: now.addingTimeInterval(-30 * 86400), to: now, hourlyRows: profileRows)
        var errors: [String: Int] = [:]
        for row in rows {
            for (code, count) in row.disconnections where !ErrorMeaning.normalCloses.contains(code) {
                errors[code, default: 0] += count
            }
            errors.merge(row.rejections, uniquingKeysWith: +)
        }
        let status = reconciler.status
        let row = await appRows(only: name).first!
        var page = AppPage(
            row: row, file: status.origins["App/\(name)"] ?? "not known until the next reconcile pass",
            revision: liveRevision(status), settings: Self.settings(of: app), range: range,
            charts: Self.charts(rows, range: range, now: now),
            errors: errors.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map {
                AppPage.ErrorRow(code: $0.key, meaning: ErrorMeaning.describe($0.key), count: $0.value)
            },
            hourlyPeaks: profile.hourOfDay.map(\.peakConnections),
            presence: server.presenceChannels(appID: app.id).map { .init(channel: $0.channel, members: $0.members) },
            exportCSV: Self.export(name, range: range, format: "csv"),
            exportJSON: Self.export(name, range: range, format: "json"))
        page.webhooks = webhooks.report.endpoints.filter { $0.app == name }.map { endpoint in
            func date(_ ms: Int64?) -> Date? { ms.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
            return AppPage.WebhookRow(
                url: endpoint.url, queued: endpoint.queued, lastSuccess: date(endpoint.lastSuccessMs),
                lastFailure: date(endpoint.lastFailureMs), failure: endpoint.lastFailure, failing: endpoint.failures > 0
            )
        }
        return html(pages.app(page, frame: frame(request, title: "App \(name)")))
    }

    private func charts(app name: String, request: AdminServer.Request) async -> AdminServer.Response? {
        guard server.currentConfiguration.apps.contains(where: { $0.name == name }) else { return nil }
        let range = StatsRange(rawValue: request.query("range") ?? "hour") ?? .hour
        let now = Date()
        let rows = (try? await store.stats(app: name, from: range.start(now), to: now, by: range.resolution)) ?? []
        return html(pages.charts(Self.charts(rows, range: range, now: now)))
    }

    /// `GET /api/v1/status`: every figure the pages keep live, in one small JSON object.
    private func liveStatus() async -> AdminServer.Response {
        let (ready, _) = server.readiness()
        let sync = syncStatus()
        let health = await serverHealth()
        var apps: [(String, JSONValue)] = []
        for row in await appRows(peaks: false) {
            func n(_ value: Int) -> JSONValue { .number(String(value)) }
            apps.append(
                (
                    row.name,
                    .object([
                        ("enabled", .bool(row.enabled)), ("connections", n(row.connections)),
                        ("channels", n(row.channels)), ("messagesInPerMinute", n(row.messagesInPerMinute)),
                        ("messagesOutPerMinute", n(row.messagesOutPerMinute)),
                        ("errorsPerMinute", n(row.errorsPerMinute)), ("percent", n(row.percent)),
                    ])
                ))
        }
        let body = JSONValue.object([
            ("asOf", .string(Format.iso(Date()))), ("ready", .bool(ready)),
            ("readyText", .string(ready ? "Ready" : "Not ready")),
            ("uptime", .string(Format.duration(seconds: Int(Date().timeIntervalSince(startedAt))))),
            (
                "sync",
                .object([
                    ("status", .string(sync.status)), ("liveRevision", .string(sync.liveRevision)),
                    ("message", sync.message.map { .string($0) } ?? .null),
                ])
            ),
            (
                "server",
                .object([
                    ("rss", .string(health.rss)), ("cpu", .string(health.cpu)),
                    ("openFiles", .string(health.openFiles)), ("loopLag", .string(health.loopLag)),
                ])
            ),
            ("apps", .object(apps)),
            ("cluster", clusterPanel().map(Self.json) ?? .null),
        ])
        return .init(body: body.serialized)
    }

    private func clusterPanel() -> ClusterPanel? {
        guard let status = cluster?.status else { return nil }
        let revision = status.nodes.first?.revision ?? ""
        return ClusterPanel(
            connected: status.connected, nodeID: status.nodeID, prefix: status.prefix, redis: status.redis,
            nodes: status.nodes.map { node in
                ClusterPanel.Node(
                    id: node.id, address: node.address, revision: node.revision, connections: node.totalConnections,
                    isSelf: node.id == status.nodeID, selfRevision: revision)
            })
    }

    private static func json(_ panel: ClusterPanel) -> JSONValue {
        .object([
            ("connected", .bool(panel.connected)), ("link", .string(panel.link)), ("node", .string(panel.nodeID)),
            (
                "nodes",
                .array(
                    panel.nodes.map { node in
                        .object([
                            ("id", .string(node.id)), ("address", .string(node.address)),
                            ("revision", .string(node.revision)),
                            ("connections", .number(String(node.connections))),
                        ])
                    })
            ),
        ])
    }

    // MARK: Figures

    /// Each app's line; `peaks` reads today's peak from the database (one query per app: the
    /// pages do, the live feed polled every few seconds does not).
    private func appRows(only name: String? = nil, peaks: Bool = true) async -> [AppRow] {
        let config = server.currentConfiguration
        let startOfDay = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86400).rounded(.down) * 86400)
        var rows: [AppRow] = []
        for stats in server.statistics() where name == nil || stats.name == name {
            let app = config.apps.first { $0.name == stats.name }
            let today =
                peaks ? (try? await store.stats(app: stats.name, from: startOfDay, to: Date(), by: .hour)) ?? [] : []
            let busiest = today.max { $0.peakConnections < $1.peakConnections }
            var peak = busiest?.peakConnections ?? 0
            var peakAt = busiest.map { Format.time($0.periodStart) + " UTC" }
            if stats.counters.connections > peak {
                peak = stats.counters.connections
                peakAt = "now"
            }
            let rate = rates.perMinute(stats.name)
            rows.append(
                AppRow(
                    name: stats.name, enabled: stats.enabled, connections: stats.counters.connections,
                    maxConnections: app?.limits.maxConnections, channels: stats.counters.channels,
                    messagesInPerMinute: rate.messagesIn, messagesOutPerMinute: rate.messagesOut,
                    errorsPerMinute: rate.errors, peakToday: peak, peakTodayAt: peak > 0 ? peakAt : nil))
        }
        return rows
    }

    private func serverHealth() async -> ServerHealth {
        let reading = probe.read()
        let lag = await server.eventLoopLag()
        return ServerHealth(
            rss: reading.residentBytes.map { Format.bytes($0) } ?? "unknown",
            cpu: reading.cpuPercent.map { String(format: "%.1f %% of one core", $0) } ?? "measuring…",
            openFiles: "\(reading.openFiles.map(String.init) ?? "?") of \(reading.fileLimit.map(String.init) ?? "?")",
            loopLag: String(format: "%.2f ms", lag))
    }

    private func liveRevision(_ status: ReconcileStatus) -> String {
        if let pass = status.lastPass, let revision = pass.revision, revision == status.lastAppliedRevision,
            let label = pass.label
        {
            return label
        }
        return status.lastAppliedRevision ?? server.currentConfiguration.revision
    }

    /// Argo CD's words for the reconciler's state.
    private func syncStatus() -> SyncStatus {
        let status = reconciler.status
        let live = liveRevision(status)
        let attempted = status.lastPass?.label ?? status.lastPass?.revision ?? "none yet"
        let applied = status.lastAppliedRevision.map { $0 == status.lastPass?.revision ? attempted : $0 } ?? "none yet"
        let (state, message): (String, String?)
        switch status.lastPass?.result {
        case nil: (state, message) = ("Unknown", "No reconcile pass has finished yet.")
        case .applied?, .noChange?: (state, message) = ("Synced", nil)
        case .drift?: (state, message) = ("OutOfSync", status.lastPass?.error)
        case .unreachable?: (state, message) = ("Unknown", status.lastPass?.error)
        case .invalid?, .refused?, .failed?: (state, message) = ("Failed", status.lastPass?.error)
        }
        return SyncStatus(
            status: state, message: message, liveRevision: live, lastAttempted: attempted, lastApplied: applied,
            author: status.lastPass?.author, subject: status.lastPass?.message.map { String($0.prefix(200)) },
            source: source, drift: drift)
    }

    /// The checks of `/readyz` that fail, as lines (`name: problem`).
    static func problems(_ readyBody: String) -> [String] {
        guard let json = try? JSONParser.parse(Array(readyBody.utf8)), case .object(let fields)? = json["checks"]
        else { return [] }
        return fields.compactMap { name, value in
            guard case .string(let problem)? = value["problem"] else { return nil }
            return "\(name): \(problem)"
        }
    }

    /// The app's settings as applied, secret masked.
    static func settings(of app: App) -> [AppPage.Setting] {
        func limit(_ value: Int?) -> String { value.map(String.init) ?? "no limit" }
        var settings: [AppPage.Setting] = [
            .init("id", app.id), .init("key", app.key), .init("secret", "•••••• (masked)"),
        ]
        // A rotation's grace period: the former secret still verifies until then.
        let now = Int64(Date().timeIntervalSince1970)
        for retiring in app.retiringSecrets where retiring.until > now {
            settings.append(
                .init(
                    "previous secret",
                    "still verifies until \(Format.dateTime(Date(timeIntervalSince1970: Double(retiring.until)))) UTC"))
        }
        settings += [
            .init("enabled", String(app.enabled)),
            .init("allowedOrigins", app.allowedOrigins.isEmpty ? "any" : app.allowedOrigins.joined(separator: ", ")),
            .init("clientEvents", String(app.clientEvents)),
            .init("userAuthentication", String(app.userAuthentication)),
        ]
        for field in App.Limits.Field.allCases {
            settings.append(.init("limits." + field.rawValue, limit(app.limits[field])))
        }
        settings.append(.init("limits.disconnectOnAbuse", String(app.limits.disconnectOnAbuse)))
        for (index, hook) in app.webhooks.enumerated() {
            settings.append(.init("webhooks[\(index)]", "\(hook.url) (\(hook.events.joined(separator: ", ")))"))
        }
        return settings
    }

    static func export(_ app: String, range: StatsRange, format: String) -> String {
        let from = ["hour": "-1h", "day": "-24h", "month": "-30d"][range.rawValue] ?? "-1h"
        return "/api/v1/stats?app=\(app)&from=\(from)&by=\(range.resolution.rawValue)&format=\(format)"
    }

    /// Connections, messages, bandwidth and errors over `range`: one point per period, periods
    /// without a row at zero (the server recorded nothing: no traffic, or it was down). A range
    /// without any row still gets its (flat) charts: an idle app is an answer too.
    static func charts(_ rows: [StatsRow], range: StatsRange, now: Date) -> [Chart] {
        let step = range.resolution.seconds
        let first = (range.start(now).timeIntervalSince1970 / step).rounded(.down) * step
        let count = Int(((now.timeIntervalSince1970 - first) / step).rounded(.down)) + 1
        var buckets = [StatsRow](repeating: StatsRow(periodStart: Date(timeIntervalSince1970: 0)), count: count)
        for index in buckets.indices {
            buckets[index] = StatsRow(periodStart: Date(timeIntervalSince1970: first + Double(index) * step))
        }
        for row in rows {
            let index = Int(((row.periodStart.timeIntervalSince1970 - first) / step).rounded(.down))
            if buckets.indices.contains(index) { buckets[index].add(row) }
        }
        let labels = buckets.map { range == .month ? Format.day($0.periodStart) : Format.time($0.periodStart) }
        let header = range == .month ? "Day (UTC)" : "\(range.resolution.rawValue.capitalized) (UTC)"
        func points(_ value: (StatsRow) -> Int) -> [Double] { buckets.map { Double(value($0)) } }
        return [
            Chart(
                id: "connections", title: "Connections", periodHeader: header, labels: labels,
                values: [
                    ("Peak", points(\.peakConnections)),
                    ("Average", buckets.map { ($0.averageConnections * 10).rounded() / 10 }),
                ]),
            Chart(
                id: "messages", title: "Messages", periodHeader: header, labels: labels,
                values: [
                    ("In (client events)", points(\.messagesReceived)),
                    ("Out (deliveries)", points(\.messagesDelivered)),
                ]),
            Chart(
                id: "bandwidth", title: "Bandwidth", periodHeader: header, labels: labels,
                values: [("In", points(\.bytesIn)), ("Out", points(\.bytesOut))], format: Chart.bytes),
            Chart(
                id: "errors", title: "Errors", periodHeader: header, labels: labels,
                values: [
                    (
                        "Errors",
                        points { ErrorMeaning.count(disconnections: $0.disconnections, rejections: $0.rejections) }
                    )
                ]),
        ]
    }
}

extension StatsRange {
    /// The resolution that gives at most 61 points.
    var resolution: StatsResolution {
        switch self {
        case .hour: .minute
        case .day: .hour
        case .month: .day
        }
    }

    func start(_ now: Date) -> Date { now.addingTimeInterval(-Double(seconds)) }
}
