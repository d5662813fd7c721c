import Foundation
import Mustache

/// What every page's frame shows: the title, who is signed in, the live feed's address.
public struct PageFrame: Sendable {
    public var title: String
    /// The signed-in user's name; nil on the login page.
    public var user: String?
    public var csrf: String
    /// Whether the viewer has a session to end (not when the admin token opened the page).
    public var canSignOut: Bool
    /// When the page's figures were read (UTC), shown when the script is not running.
    public var asOf: String
    /// Where the script reads live figures; nil: the page does not update itself.
    public var statusURL: String?
    public var refreshSeconds: Int

    public init(
        title: String, user: String?, csrf: String = "", asOf: String, statusURL: String? = nil, refreshSeconds: Int = 3
    ) {
        self.title = title
        self.user = user
        self.csrf = csrf
        canSignOut = user != nil && !csrf.isEmpty
        self.asOf = asOf
        self.statusURL = statusURL
        self.refreshSeconds = refreshSeconds
    }
}

public struct LoginPage: Sendable {
    public var error: String?
    public var email: String
    public var next: String
    public var loginCSRF: String

    public init(error: String? = nil, email: String = "", next: String = "/", loginCSRF: String) {
        self.error = error
        self.email = email
        self.next = next
        self.loginCSRF = loginCSRF
    }
}

public struct OverviewPage: Sendable {
    public struct Health: Sendable {
        public var ready: Bool
        public var problems: [String]
        public var uptime: String
        public var version: String
        public var node: String

        public init(ready: Bool, problems: [String], uptime: String, version: String, node: String) {
            self.ready = ready
            self.problems = problems
            self.uptime = uptime
            self.version = version
            self.node = node
        }
    }

    public var health: Health
    public var sync: SyncStatus
    public var apps: [AppRow]
    public var server: ServerHealth
    public var passes: [PassRow]
    public var passCount: Int
    /// Set when the node is part of a cluster (`--redis-url`).
    public var cluster: ClusterPanel?

    public init(
        health: Health, sync: SyncStatus, apps: [AppRow], server: ServerHealth, passes: [PassRow],
        cluster: ClusterPanel? = nil
    ) {
        self.health = health
        self.sync = sync
        self.apps = apps
        self.server = server
        self.passes = passes
        passCount = passes.count
        self.cluster = cluster
    }
}

/// The cluster as this node sees it: its link to Redis and the live nodes.
public struct ClusterPanel: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var id: String
        public var shortID: String
        public var address: String
        public var revision: String
        public var connections: Int
        public var isSelf: Bool
        /// Serves another revision than this node (the nodes converge; a lasting difference is
        /// worth a look).
        public var otherRevision: Bool

        public init(id: String, address: String, revision: String, connections: Int, isSelf: Bool, selfRevision: String)
        {
            self.id = id
            shortID = String(id.prefix(8))
            self.address = address
            // A directory's revision ends in its digest; a git revision is a commit id.
            let digest = revision.split(separator: "@").last.map(String.init) ?? revision
            self.revision = digest.hasPrefix("sha256:") ? String(digest.prefix(19)) : String(digest.prefix(12))
            self.connections = connections
            self.isSelf = isSelf
            otherRevision = revision != selfRevision
        }
    }

    public var connected: Bool
    public var link: String
    public var linkClass: String
    public var nodeID: String
    public var prefix: String
    public var redis: String
    public var nodes: [Node]
    public var nodeCount: Int
    public var totalConnections: Int

    public init(connected: Bool, nodeID: String, prefix: String, redis: String, nodes: [Node]) {
        self.connected = connected
        link = connected ? "Connected" : "Down — serving local clients only"
        linkClass = connected ? "ok" : "bad"
        self.nodeID = nodeID
        self.prefix = prefix
        self.redis = redis
        self.nodes = nodes
        nodeCount = nodes.count
        totalConnections = nodes.reduce(0) { $0 + $1.connections }
    }
}

/// The configuration's sync state in Argo CD's words.
public struct SyncStatus: Sendable, Equatable {
    /// Synced, OutOfSync, Failed or Unknown.
    public var status: String
    public var statusClass: String
    public var message: String?
    public var liveRevision: String
    public var lastAttempted: String
    public var lastApplied: String
    public var author: String?
    public var subject: String?
    public var source: String
    public var drift: String

    public init(
        status: String, message: String?, liveRevision: String, lastAttempted: String, lastApplied: String,
        author: String?, subject: String?, source: String, drift: String
    ) {
        self.status = status
        statusClass =
            switch status {
            case "Synced": "ok"
            case "Failed": "bad"
            default: "warn"
            }
        self.message = message
        self.liveRevision = liveRevision
        self.lastAttempted = lastAttempted
        self.lastApplied = lastApplied
        self.author = author
        self.subject = subject
        self.source = source
        self.drift = drift
    }
}

/// One app's line on the overview (and the head of its page).
public struct AppRow: Sendable, Equatable {
    public var name: String
    public var enabled: Bool
    public var connections: Int
    public var maxConnections: String
    public var hasLimit: Bool
    public var percent: Int
    public var channels: Int
    public var messagesInPerMinute: Int
    public var messagesOutPerMinute: Int
    public var errorsPerMinute: Int
    public var peakToday: String
    public var peakTodayAt: String?

    public init(
        name: String, enabled: Bool, connections: Int, maxConnections: Int?, channels: Int, messagesInPerMinute: Int,
        messagesOutPerMinute: Int, errorsPerMinute: Int, peakToday: Int, peakTodayAt: String?
    ) {
        self.name = name
        self.enabled = enabled
        self.connections = connections
        self.maxConnections = maxConnections.map { Format.grouped($0) } ?? "no limit"
        hasLimit = maxConnections != nil
        percent = maxConnections.map { $0 > 0 ? min(100, connections * 100 / $0) : 100 } ?? 0
        self.channels = channels
        self.messagesInPerMinute = messagesInPerMinute
        self.messagesOutPerMinute = messagesOutPerMinute
        self.errorsPerMinute = errorsPerMinute
        self.peakToday = Format.grouped(peakToday)
        self.peakTodayAt = peakTodayAt
    }
}

public struct ServerHealth: Sendable, Equatable {
    public var rss: String
    public var cpu: String
    public var openFiles: String
    public var loopLag: String

    public init(rss: String, cpu: String, openFiles: String, loopLag: String) {
        self.rss = rss
        self.cpu = cpu
        self.openFiles = openFiles
        self.loopLag = loopLag
    }
}

public struct PassRow: Sendable, Equatable {
    public var time: String
    public var timeISO: String
    public var trigger: String
    public var revision: String
    public var author: String?
    public var subject: String
    public var plan: String
    public var result: String
    public var resultClass: String
    public var error: String?

    public init(
        time: String, timeISO: String, trigger: String, revision: String, author: String?, subject: String,
        plan: String, result: String, error: String?
    ) {
        self.time = time
        self.timeISO = timeISO
        self.trigger = trigger
        self.revision = revision
        self.author = author
        self.subject = subject
        self.plan = plan
        self.result = result
        resultClass =
            switch result {
            case "applied", "noChange": "ok"
            case "drift", "refused", "invalid": "warn"
            default: "bad"
            }
        self.error = error
    }
}

public struct AppPage: Sendable {
    public struct Setting: Sendable, Equatable {
        public var field: String
        public var value: String

        public init(_ field: String, _ value: String) {
            self.field = field
            self.value = value
        }
    }

    public struct RangeLink: Sendable, Equatable {
        public var key: String
        public var label: String
        public var current: Bool
    }

    public struct ErrorRow: Sendable, Equatable {
        public var code: String
        public var meaning: String
        public var count: String

        public init(code: String, meaning: String, count: Int) {
            self.code = code
            self.meaning = meaning
            self.count = Format.grouped(count)
        }
    }

    public struct HourBar: Sendable, Equatable {
        public var hour: String
        public var value: String
        public var x: Int
        public var y: Int
        public var height: Int
    }

    /// One webhook endpoint of the app: where it posts, what waits, how the last attempts went.
    public struct WebhookRow: Sendable, Equatable {
        public var url: String
        public var queued: String
        public var lastSuccess: String
        public var lastFailure: String
        /// `ok`, `warn` (failing now) for the badge.
        public var stateClass: String
        public var state: String

        public init(url: String, queued: Int, lastSuccess: Date?, lastFailure: Date?, failure: String?, failing: Bool) {
            self.url = url
            self.queued = Format.grouped(queued)
            self.lastSuccess = lastSuccess.map { Format.dateTime($0) + " UTC" } ?? "never"
            if let lastFailure {
                self.lastFailure = Format.dateTime(lastFailure) + " UTC" + (failure.map { " (\($0))" } ?? "")
            } else {
                self.lastFailure = "none"
            }
            stateClass = failing ? "warn" : "ok"
            state = failing ? "Retrying" : "OK"
        }
    }

    public struct Presence: Sendable, Equatable {
        public var channel: String
        public var members: Int

        public init(channel: String, members: Int) {
            self.channel = channel
            self.members = members
        }
    }

    public var name: String
    public var enabled: Bool
    public var connections: Int
    public var maxConnections: String
    public var channels: Int
    public var messagesInPerMinute: Int
    public var messagesOutPerMinute: Int
    public var errorsPerMinute: Int
    public var file: String
    public var revision: String
    public var settings: [Setting]
    public var range: String
    public var rangeLabel: String
    public var rangeNote: String
    public var ranges: [RangeLink]
    public var charts: [Chart]
    public var errors: [ErrorRow]
    public var profile: [HourBar]
    public var profileSummary: String
    public var presence: [Presence]
    /// The app's webhook endpoints (empty: none configured).
    public var webhooks: [WebhookRow] = []
    public var exportCSV: String
    public var exportJSON: String

    public init(
        row: AppRow, file: String, revision: String, settings: [Setting], range: StatsRange, charts: [Chart],
        errors: [ErrorRow], hourlyPeaks: [Int], presence: [Presence], exportCSV: String, exportJSON: String
    ) {
        name = row.name
        enabled = row.enabled
        connections = row.connections
        maxConnections = row.maxConnections
        channels = row.channels
        messagesInPerMinute = row.messagesInPerMinute
        messagesOutPerMinute = row.messagesOutPerMinute
        errorsPerMinute = row.errorsPerMinute
        self.file = file
        self.revision = revision
        self.settings = settings
        self.range = range.rawValue
        rangeLabel = range.label
        rangeNote = range.note
        ranges = StatsRange.allCases.map { RangeLink(key: $0.rawValue, label: $0.label, current: $0 == range) }
        self.charts = charts
        self.errors = errors
        let top = max(hourlyPeaks.max() ?? 0, 1)
        profile = hourlyPeaks.prefix(24).enumerated().map { hour, value in
            let height = value * 100 / top
            return HourBar(
                hour: hour < 10 ? "0\(hour)" : "\(hour)", value: Format.grouped(value), x: hour * 10 + 1,
                y: 100 - height, height: height)
        }
        if let busiest = hourlyPeaks.enumerated().max(by: { $0.element < $1.element }), busiest.element > 0 {
            profileSummary =
                "Peak connections by hour of day; the busiest hour is \(busiest.offset):00 UTC with \(Format.grouped(busiest.element))."
        } else {
            profileSummary = "No connections recorded in the last 30 days."
        }
        self.presence = presence
        self.exportCSV = exportCSV
        self.exportJSON = exportJSON
    }
}

/// The ranges of an app page's charts, each read at a resolution that keeps ≤ 60 points.
public enum StatsRange: String, Sendable, CaseIterable {
    case hour, day, month

    public var label: String {
        switch self {
        case .hour: "Last hour"
        case .day: "Last 24 hours"
        case .month: "Last 30 days"
        }
    }

    /// The range in seconds.
    public var seconds: Int {
        switch self {
        case .hour: 3600
        case .day: 86400
        case .month: 30 * 86400
        }
    }

    public var note: String {
        switch self {
        case .hour: "By minute."
        case .day: "By hour."
        case .month: "By day."
        }
    }
}

/// The pages, rendered from the Mustache templates compiled into the binary. Values are HTML
/// escaped by the templates (`{{value}}`); no template uses the unescaped form.
public struct StatusPages: Sendable {
    private let library: MustacheLibrary

    public init() {
        var library = MustacheLibrary()
        for (name, bytes) in Self.templates {
            // The templates are part of the binary and covered by tests: a parse error is a bug.
            try! library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
    }

    static let templates: [(String, [UInt8])] = [
        ("head", PackageResources.head_mustache), ("foot", PackageResources.foot_mustache),
        ("login", PackageResources.login_mustache), ("overview", PackageResources.overview_mustache),
        ("app", PackageResources.app_mustache), ("chart", PackageResources.chart_mustache),
        ("charts", PackageResources.charts_mustache), ("error", PackageResources.error_mustache),
    ]

    public func login(_ page: LoginPage, frame: PageFrame) -> String { render("login", page, frame) }
    public func overview(_ page: OverviewPage, frame: PageFrame) -> String { render("overview", page, frame) }
    public func app(_ page: AppPage, frame: PageFrame) -> String { render("app", page, frame) }

    /// The charts of an app page alone: what the script swaps in to keep them current.
    public func charts(_ charts: [Chart]) -> String {
        library.render(["charts": charts], withTemplate: "charts") ?? ""
    }

    public func error(heading: String, message: String, frame: PageFrame) -> String {
        render("error", ["heading": heading, "message": message], frame)
    }

    private func render(_ template: String, _ page: Any, _ frame: PageFrame) -> String {
        // The frame's fields and the page's are one context: the page on top of the frame.
        let context = MustacheContextStack(frame: frame, page: page)
        return library.render(context.dictionary, withTemplate: template) ?? ""
    }

    /// The stylesheet and script, served from the binary under `/assets/`.
    public static func asset(_ name: String) -> (body: String, contentType: String)? {
        switch name {
        case "status.css": (String(decoding: PackageResources.status_css, as: UTF8.self), "text/css; charset=utf-8")
        case "status.js":
            (String(decoding: PackageResources.status_js, as: UTF8.self), "text/javascript; charset=utf-8")
        default: nil
        }
    }
}

/// Flattens a frame and a page into one dictionary of their stored properties (the page's win).
struct MustacheContextStack {
    var dictionary: [String: Any] = [:]

    init(frame: PageFrame, page: Any) {
        add(frame)
        if let page = page as? [String: Any] {
            dictionary.merge(page) { $1 }
        } else {
            add(page)
        }
    }

    /// Each stored property; a nil optional is left out (a missing key is falsy, as it should be).
    private mutating func add(_ object: Any) {
        for child in Mirror(reflecting: object).children {
            guard let label = child.label else { continue }
            let value = Mirror(reflecting: child.value)
            if value.displayStyle == .optional {
                if let wrapped = value.children.first?.value {
                    dictionary[label] = wrapped
                } else {
                    dictionary[label] = nil
                }
            } else {
                dictionary[label] = child.value
            }
        }
    }
}
