import PusherProtocol

/// The app-wide HTTP API budgets and the throttled log of refusals that have no connection.
extension AppHub {
    /// An app-wide token bucket of the HTTP API.
    enum APIBudget: Hashable {
        /// `backendEventsPerSecond`: events published (an event to n channels costs n).
        case backendEvents
        /// `apiRequestsPerSecond`: every other HTTP API request.
        case apiRequests
    }

    /// The outcome of taking from a budget, with what the 429 headers need.
    struct BudgetCheck: Equatable {
        var allowed: Bool
        var remaining: Int
        var retryAfter: Int
    }

    /// Takes `cost` from the app's `budget` of `rate` per second; a changed rate applies at once.
    func take(_ budget: APIBudget, cost: Int = 1, rate: Int, now: UInt64) -> BudgetCheck {
        withState { state in
            var bucket =
                state.apiBuckets[budget].map {
                    $0.ratePerSecond == rate ? $0 : $0.resized(ratePerSecond: rate, now: now)
                } ?? TokenBucket(ratePerSecond: rate, now: now)
            let allowed = bucket.take(cost, now: now)
            state.apiBuckets[budget] = bucket
            return BudgetCheck(
                allowed: allowed, remaining: bucket.remaining,
                retryAfter: allowed ? 0 : bucket.retryAfterSeconds(cost: cost))
        }
    }

    /// Nil: do not log this refusal of `limit`; else log it, saying how many were not since.
    func limitLog(_ limit: String, now: UInt64) -> Int? {
        withState { state in state.limitLogs[limit, default: LogThrottle()].shouldLog(now: now)?.suppressed }
    }
}
