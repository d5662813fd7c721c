import BelfryServer
import NIOConcurrencyHelpers

/// The `WebhookSink` the server calls on its event loops: appends to a bounded in-memory buffer
/// under a lock and returns (O(1) per event, never waits on the database or the network).
/// `WebhookDelivery` drains it into the SQLite outbox: at once when an event arrives in an empty
/// buffer (`wakeUp`), then every ~50 ms while there is work. Past `capacity` buffered events, new
/// ones are dropped and counted per app.
public final class WebhookBuffer: WebhookSink {
    /// What accumulated since the last drain.
    struct Drained {
        var batches: [(appID: String, events: [WebhookEvent])] = []
        /// Events dropped because the buffer was full, by app id.
        var dropped: [String: Int] = [:]
    }

    private struct State {
        var drained = Drained()
        var count = 0
    }

    public let capacity: Int
    private let state = NIOLockedValueBox(State())
    private let wakeUp = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    public func accept(appID: String, _ events: [WebhookEvent]) {
        guard !events.isEmpty else { return }
        let wasEmpty = state.withLockedValue { state in
            let wasEmpty = state.drained.batches.isEmpty && state.drained.dropped.isEmpty
            if state.count + events.count > capacity {
                state.drained.dropped[appID, default: 0] += events.count
            } else {
                state.drained.batches.append((appID, events))
                state.count += events.count
            }
            return wasEmpty
        }
        if wasEmpty { wakeUp.withLockedValue { $0 }?() }
    }

    /// Called (outside the buffer's lock) when something arrives in an empty buffer.
    func setWakeUp(_ callback: (@Sendable () -> Void)?) {
        wakeUp.withLockedValue { $0 = callback }
    }

    /// Takes everything buffered (and the drop counts) and leaves the buffer empty.
    func drain() -> Drained {
        state.withLockedValue { state in
            defer { state = State() }
            return state.drained
        }
    }

    /// Events waiting for the next drain.
    public var count: Int { state.withLockedValue { $0.count } }
}
