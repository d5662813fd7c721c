import Foundation

/// When a failed webhook request is tried again, and when an event is given up: exponential
/// backoff from 1 s doubling to 60 s with jitter, at least what `Retry-After` asks, and no
/// retry once the event is 5 minutes old (hosted Pusher's window, `pusher.md` §3.1).
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay: Double
    public var maxDelay: Double
    /// Seconds after an event's creation past which a failed attempt drops it.
    public var giveUpAfter: Double

    public init(initialDelay: Double = 1, maxDelay: Double = 60, giveUpAfter: Double = 300) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.giveUpAfter = giveUpAfter
    }

    /// What one request's result means for its events.
    public enum Outcome: Sendable, Equatable {
        /// 2xx: the rows are deleted.
        case delivered(status: Int)
        /// A 4xx the receiver will answer again (400, 401, 404, …): dropped, counted as failed.
        case rejected(status: Int)
        /// A timeout, a connection error, 408, 425, 429 or 5xx: tried again later.
        /// `reason` is the status (`"503"`) or the error; `retryAfter` the header's seconds.
        case retryable(reason: String, retryAfter: Double?)
    }

    /// Classifies an HTTP answer; `retryAfter` is the raw `Retry-After` header.
    public static func classify(status: Int, retryAfter: String? = nil) -> Outcome {
        switch status {
        case 200..<300: return .delivered(status: status)
        case 408, 425, 429, 500..<600:
            let seconds = retryAfter.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }.flatMap {
                $0 >= 0 && $0.isFinite ? $0 : nil
            }
            return .retryable(reason: String(status), retryAfter: seconds)
        default: return .rejected(status: status)
        }
    }

    /// Seconds to wait after `failures` consecutive failed requests (1 for the first).
    ///
    /// - Parameters:
    ///   - retryAfter: the receiver's `Retry-After`, honoured when longer than the backoff (up to
    ///     the give-up window: a longer wait would only drop the event).
    ///   - jitter: a value in 0..<1; the backoff is scaled by 0.75…1.25 so endpoints that failed
    ///     together do not retry together.
    public func delay(afterFailures failures: Int, retryAfter: Double? = nil, jitter: Double) -> Double {
        let exponent = Double(max(0, min(failures - 1, 30)))
        let base = min(maxDelay, initialDelay * pow2(exponent))
        let jittered = min(maxDelay, base * (0.75 + 0.5 * min(max(jitter, 0), 1)))
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, giveUpAfter))
    }

    /// Whether an event created at `createdAtMs` is past retrying at `nowMs`.
    public func expired(createdAtMs: Int64, nowMs: Int64) -> Bool {
        Double(nowMs - createdAtMs) >= giveUpAfter * 1000
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}
