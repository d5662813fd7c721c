import BelfryWebhooks
import Testing

@Suite struct EndpointQueueTests {
    private func entries(_ names: [String], from id: Int64 = 1, at ms: Int64 = 0) -> [EndpointQueue.Entry] {
        names.enumerated().map { index, name in
            .init(id: id + Int64(index), name: name, payload: "{\"n\":\(id + Int64(index))}", createdAtMs: ms)
        }
    }

    private let single = EndpointQueue.Settings(batch: false)
    private let batched = EndpointQueue.Settings(batch: true)

    @Test func unbatchedSendsOneEventPerRequestAndConnectionEventsTogether() {
        var queue = EndpointQueue()
        queue.append(
            entries([
                "channel_occupied", "connection_opened", "connection_closed", "connection_opened", "member_added",
            ]))
        let settings = EndpointQueue.Settings(batch: false, maxConcurrent: 10)
        var sizes: [[Int64]] = []
        while let request = queue.next(nowMs: 0, settings: settings) { sizes.append(request.entries.map(\.id)) }
        #expect(sizes == [[1], [2, 3, 4], [5]])
        #expect(queue.depth == 5)
    }

    @Test func batchedSendsUpToTheLimitInOrder() {
        var queue = EndpointQueue()
        queue.append(entries(Array(repeating: "channel_occupied", count: 250)))
        let settings = EndpointQueue.Settings(batch: true, maxConcurrent: 10, maxBatch: 100)
        var sizes: [Int] = []
        var ids: [Int64] = []
        while let request = queue.next(nowMs: 0, settings: settings) {
            sizes.append(request.entries.count)
            ids += request.entries.map(\.id)
        }
        #expect(sizes == [100, 100, 50])
        #expect(ids == Array(1...250))
    }

    @Test func concurrencyIsLimitedPerEndpoint() {
        var queue = EndpointQueue()
        queue.append(entries(Array(repeating: "channel_occupied", count: 10)))
        var numbers: [Int] = []
        while let request = queue.next(nowMs: 0, settings: single) { numbers.append(request.number) }
        #expect(numbers.count == 4)
        let done = queue.complete(numbers[0], outcome: .delivered(status: 200), nowMs: 250, jitter: 0.5)
        #expect(done.deleteIDs == [1] && done.sent == 1 && done.latencyMsSum == 250)
        #expect(queue.next(nowMs: 250, settings: single)?.entries.map(\.id) == [5])
        #expect(queue.next(nowMs: 250, settings: single) == nil)
    }

    @Test func aFailureBacksOffRetriesFirstAndLogsOncePerSequence() {
        var queue = EndpointQueue()
        queue.append(entries(["channel_occupied", "channel_vacated"]))
        let first = queue.next(nowMs: 0, settings: single)!
        let second = queue.next(nowMs: 0, settings: single)!
        let failed = queue.complete(
            first.number, outcome: .retryable(reason: "500", retryAfter: nil), nowMs: 10, jitter: 0.5)
        #expect(failed.retried == 1 && failed.deleteIDs.isEmpty)
        #expect(failed.log == .failing(reason: "500", retryInSeconds: 1))
        // The second request was already out; its failure is the same sequence: no new log line.
        let again = queue.complete(
            second.number, outcome: .retryable(reason: "500", retryAfter: nil), nowMs: 20, jitter: 0.5)
        #expect(again.log == nil && queue.failures == 2)
        // Backoff: 2 s after the second failure.
        #expect(queue.next(nowMs: 2019, settings: single) == nil)
        let retry = queue.next(nowMs: 2020, settings: single)!
        #expect(retry.entries.map(\.id) == [1])
        // While failing, a single request probes the endpoint.
        #expect(queue.next(nowMs: 2020, settings: single) == nil)
        let ok = queue.complete(retry.number, outcome: .delivered(status: 200), nowMs: 2100, jitter: 0.5)
        #expect(ok.log == .recovered(afterFailures: 2) && queue.failures == 0 && queue.lastSuccessMs == 2100)
        #expect(queue.next(nowMs: 2100, settings: single)?.entries.map(\.id) == [2])
        #expect(queue.lastFailure?.reason == "500")
    }

    @Test func retryAfterDelaysTheNextAttempt() {
        var queue = EndpointQueue()
        queue.append(entries(["channel_occupied"]))
        let request = queue.next(nowMs: 0, settings: single)!
        _ = queue.complete(request.number, outcome: .retryable(reason: "429", retryAfter: 20), nowMs: 0, jitter: 0.5)
        #expect(queue.next(nowMs: 19_999, settings: single) == nil)
        #expect(queue.next(nowMs: 20_000, settings: single) != nil)
    }

    @Test func eventsAreGivenUpFiveMinutesAfterCreation() {
        var queue = EndpointQueue()
        queue.append(entries(["channel_occupied"], from: 1, at: 0) + entries(["channel_vacated"], from: 2, at: 200_000))
        var now: Int64 = 0
        var gaveUp: [EndpointQueue.Log] = []
        var expired: [Int64] = []
        while queue.depth > 0 && now < 1_000_000 {
            guard let request = queue.next(nowMs: now, settings: batched) else {
                now += 500
                continue
            }
            let result = queue.complete(
                request.number, outcome: .retryable(reason: "timeout", retryAfter: nil), nowMs: now, jitter: 0.5)
            expired += result.deleteIDs
            if case .gaveUp = result.log { gaveUp.append(result.log!) }
        }
        #expect(expired == [1, 2])
        #expect(gaveUp == [.gaveUp(reason: "timeout", events: 1), .gaveUp(reason: "timeout", events: 1)])
        #expect(now >= 500_000)  // the second event, created 200 s later, was retried up to its own 5 minutes
    }

    @Test func aRejectionDropsTheEventsWithoutBackoff() {
        var queue = EndpointQueue()
        queue.append(entries(["channel_occupied", "channel_vacated"]))
        let request = queue.next(nowMs: 0, settings: single)!
        let result = queue.complete(request.number, outcome: .rejected(status: 404), nowMs: 5, jitter: 0.5)
        #expect(result.failed == 1 && result.deleteIDs == [1] && result.log == .rejected(status: 404, events: 1))
        #expect(queue.failures == 0 && queue.lastFailure?.reason == "HTTP 404")
        #expect(queue.next(nowMs: 5, settings: single)?.entries.map(\.id) == [2])
    }

    @Test func removingEmptiesTheQueueAndCountsInFlightEvents() {
        var queue = EndpointQueue()
        queue.append(entries(["channel_occupied", "channel_vacated", "member_added"]))
        _ = queue.next(nowMs: 0, settings: single)
        #expect(queue.oldestCreatedAtMs == 0)
        #expect(queue.removeAll() == 3)
        #expect(queue.depth == 0 && queue.oldestCreatedAtMs == nil)
    }

    @Test func bytesCountWhatIsStillQueued() {
        var queue = EndpointQueue()
        queue.append(entries(["channel_occupied", "channel_vacated", "member_added"]))  // payloads {"n":1} …: 7 bytes
        #expect(queue.bytes == 21)
        let first = queue.next(nowMs: 0, settings: single)!
        let second = queue.next(nowMs: 0, settings: single)!
        #expect(queue.bytes == 21)  // in flight still counts
        _ = queue.complete(first.number, outcome: .delivered(status: 200), nowMs: 1, jitter: 0.5)
        _ = queue.complete(second.number, outcome: .retryable(reason: "500", retryAfter: nil), nowMs: 1, jitter: 0.5)
        #expect(queue.bytes == 14)
        _ = queue.removeAll()
        #expect(queue.bytes == 0)
    }
}
