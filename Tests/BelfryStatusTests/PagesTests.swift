import Testing

@testable import BelfryStatus

@Suite struct PagesTests {
    private let pages = StatusPages()
    private let evil = "<script>alert(\"x\")</script>&"

    private func overview(subject: String = "Add chat", apps: [AppRow] = []) -> OverviewPage {
        OverviewPage(
            health: .init(ready: true, problems: [], uptime: "5 s", version: "0.13.0", node: "vm"),
            sync: SyncStatus(
                status: "Synced", message: nil, liveRevision: "abc1234", lastAttempted: "abc1234",
                lastApplied: "abc1234", author: "Alice", subject: subject, source: "repo#main", drift: "correct"),
            apps: apps, server: ServerHealth(rss: "1 MiB", cpu: "1 %", openFiles: "3 of 10", loopLag: "0.1 ms"),
            passes: [
                PassRow(
                    time: "t", timeISO: "t", trigger: "interval", revision: "abc1234", author: evil, subject: subject,
                    plan: "+1 App", result: "applied", error: nil)
            ])
    }

    private let frame = PageFrame(
        title: "Overview", user: "alice", csrf: "tok", asOf: "now", statusURL: "/api/v1/status")

    @Test func everyValueIsEscaped() {
        let html = pages.overview(overview(subject: evil), frame: frame)
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert("))
        #expect(html.contains("&amp;"))
    }

    @Test func noTemplateWritesUnescapedValues() {
        for (name, bytes) in StatusPages.templates {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains("{{{"), "\(name)")
            #expect(!text.contains("{{&"), "\(name)")
        }
    }

    @Test func theOverviewHasItsLandmarks() {
        let row = AppRow(
            name: "chat", enabled: true, connections: 3, maxConnections: 10, channels: 1, messagesInPerMinute: 0,
            messagesOutPerMinute: 4, errorsPerMinute: 0, peakToday: 5, peakTodayAt: "12:00 UTC")
        let html = pages.overview(overview(apps: [row]), frame: frame)
        for landmark in [
            #"id="ready""#, #"id="sync-status""#, #"id="live-revision""#, #"<table id="passes">"#,
            #"<table id="apps">"#, #"<tr data-app="chat">"#, #"<a href="/apps/chat">"#, #"data-live="connections">3<"#,
            #"id="logout-form""#, #"name="csrf" value="tok""#, #"data-status-url="/api/v1/status""#,
            #"<meter min="0" max="100" value="30""#,
        ] {
            #expect(html.contains(landmark), "\(landmark)")
        }
    }

    @Test func aPageOpenedWithTheAdminTokenHasNoSignOut() {
        let html = pages.overview(
            overview(),
            frame: PageFrame(title: "Overview", user: "admin token", asOf: "now", statusURL: "/api/v1/status"))
        #expect(!html.contains("logout-form"))
        #expect(html.contains("Signed in as <strong id=\"signed-in-user\">admin token</strong>"))
    }

    @Test func theLoginPageHasNoSessionChromeAndShowsItsError() {
        let html = pages.login(
            LoginPage(error: "Wrong email or password.", email: evil, next: "/apps/x", loginCSRF: "c"),
            frame: PageFrame(title: "Sign in", user: nil, asOf: "now"))
        #expect(html.contains(#"id="login-error""#))
        #expect(!html.contains("logout-form"))
        #expect(!html.contains("status.js"))
        #expect(html.contains(#"name="next" value="/apps/x""#))
        #expect(!html.contains("<script>alert"))
        let clean = pages.login(LoginPage(loginCSRF: "c"), frame: PageFrame(title: "Sign in", user: nil, asOf: "now"))
        #expect(!clean.contains("login-error"))
    }

    @Test func chartsCarryTheirNumbersAsATable() {
        let chart = Chart(
            id: "c", title: "Connections", periodHeader: "Minute", labels: ["12:00", "12:01", "12:02"],
            values: [("Peak", [0, 10, 5]), ("Average", [0, 4, 2.5])])
        #expect(chart.series[0].path == "M0 156 L300 4 L600 80")
        #expect(chart.series[1].index == 1)
        #expect(chart.summary == "Peak: peak 10 at 12:01, latest 5; Average: peak 4 at 12:01, latest 2.5.")
        #expect(chart.rows[2].values == ["5", "2.5"])
        let html = pages.charts([chart])
        #expect(html.contains(#"<svg class="chart" role="img""#))
        #expect(html.contains("<title id=\"chart-c-title\">Connections</title>"))
        #expect(html.contains("<td class=\"num\">2.5</td>"))
        #expect(pages.charts([]).contains("No statistics"))
    }

    @Test func formatting() {
        #expect(Format.grouped(1_234_567) == "1\u{202F}234\u{202F}567")
        #expect(Format.bytes(1536) == "1.5 KiB")
        #expect(Format.duration(seconds: 93784) == "1 d 2 h 3 min")
    }

    @Test func assetsAreServedFromTheBinary() {
        #expect(StatusPages.asset("status.css")?.body.contains("prefers-color-scheme") == true)
        #expect(StatusPages.asset("status.js")?.contentType.hasPrefix("text/javascript") == true)
        #expect(StatusPages.asset("../etc/passwd") == nil)
    }
}
