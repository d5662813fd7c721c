import Synchronization

/// Messages and errors in the last minute for the status page, from the cumulative counters
/// the stats flusher reads every few seconds: the newest totals minus those of the newest sample
/// at least a minute older. Counters start at zero with the process (and when an app is created
/// again), so without such a sample everything counted so far is within the last minute.
public final class LiveRates: Sendable {
    /// An app's cumulative counters at one moment.
    public struct Totals: Sendable, Equatable {
        public var messagesIn: Int
        public var messagesOut: Int
        public var errors: Int

        public init(messagesIn: Int, messagesOut: Int, errors: Int) {
            self.messagesIn = messagesIn
            self.messagesOut = messagesOut
            self.errors = errors
        }
    }

    public struct PerMinute: Sendable, Equatable {
        public var messagesIn = 0
        public var messagesOut = 0
        public var errors = 0

        public init(messagesIn: Int = 0, messagesOut: Int = 0, errors: Int = 0) {
            self.messagesIn = messagesIn
            self.messagesOut = messagesOut
            self.errors = errors
        }
    }

    private struct Sample {
        var at: Double
        var apps: [String: Totals]
    }

    /// The most samples kept, whatever the flush interval (a minute at 0.25 s).
    private let capacity: Int
    private let samples = Mutex<[Sample]>([])

    public init(capacity: Int = 256) {
        self.capacity = max(2, capacity)
    }

    /// Records every app's totals at `at` (seconds since 1970). Samples older than the newest one
    /// still needed as a baseline are dropped.
    public func record(at: Double, _ apps: [String: Totals]) {
        samples.withLock { samples in
            samples.append(Sample(at: at, apps: apps))
            if let baseline = samples.lastIndex(where: { at - $0.at >= 60 }), baseline > 0 {
                samples.removeFirst(baseline)
            }
            if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
        }
    }

    /// An app's counts over the last minute. A counter that went down (the app was deleted and
    /// created again) counts from zero.
    public func perMinute(_ app: String) -> PerMinute {
        samples.withLock { samples in
            guard let newest = samples.last, let now = newest.apps[app] else { return PerMinute() }
            let then =
                samples.last { newest.at - $0.at >= 60 }?.apps[app]
                ?? Totals(messagesIn: 0, messagesOut: 0, errors: 0)
            func change(_ a: Int, _ b: Int) -> Int { a >= b ? a - b : a }
            return PerMinute(
                messagesIn: change(now.messagesIn, then.messagesIn),
                messagesOut: change(now.messagesOut, then.messagesOut), errors: change(now.errors, then.errors))
        }
    }
}

/// Close codes and rejection reasons as the status page explains them.
public enum ErrorMeaning {
    /// Close codes of connections that ended normally: not errors.
    public static let normalCloses: Set<String> = ["1000", "1001", "1005", "4200"]

    /// What a close code or a counted rejection means, and what to do about it.
    public static func describe(_ key: String) -> String {
        switch key {
        case "1006": "Closed without a close frame (network drop, client killed)."
        case "4001": "Unknown app key: check the key the client uses."
        case "4003": "App disabled in its manifest (spec.enabled: false)."
        case "4004": "Over limits.maxConnections: raise it or add capacity."
        case "4005": "Wrong WebSocket path: clients connect to /app/{key}."
        case "4007", "4008": "Protocol version missing or unsupported: use a Pusher client for protocol 7."
        case "4009": "No sign-in within the timeout (userAuthentication), or origin refused."
        case "4100": "Over capacity: the client was too slow to read, or the server is out of descriptors."
        case "4201": "No pong in time: the client or its network went silent."
        case "4301": "Client events over limits.clientEventsPerSecond (closed with disconnectOnAbuse)."
        case "4302": "Watchlist over 100 user ids."
        case "client event": "Client event refused (disabled, wrong channel type or too large)."
        case "outbound budget": "A connection's unsent data passed its budget and it was closed."
        default:
            if key.hasPrefix("limit ") {
                "Refused by limits.\(key.dropFirst(6)) (see the README's Limits): raise it if the traffic is legitimate."
            } else if key.hasPrefix("subscription ") {
                "Subscription refused: \(key.dropFirst(13))."
            } else if key.hasPrefix("connection ") {
                "Connection refused with \(key.dropFirst(11)) before it opened."
            } else if key.hasPrefix("4") {
                "Pusher error code \(key)."
            } else {
                "WebSocket close code \(key)."
            }
        }
    }

    /// The errors of a period: rejections plus connections closed with an error code.
    public static func count(disconnections: [String: Int], rejections: [String: Int]) -> Int {
        rejections.values.reduce(0, +)
            + disconnections.filter { !normalCloses.contains($0.key) && $0.key != "1006" }.values.reduce(0, +)
    }
}
