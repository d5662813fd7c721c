import NIOConcurrencyHelpers

/// Wakes the reconcile loop after a timeout or when triggered, whichever comes first. Triggers
/// that arrive while nobody waits are kept (the newest one), so they coalesce into one more pass.
final class Wakeup: Sendable {
    private struct State {
        var pending: PassRecord.Trigger?
        var waiter: CheckedContinuation<PassRecord.Trigger?, Never>?
        var generation = 0
        var closed = false
    }

    private let box = NIOLockedValueBox(State())

    /// Requests a pass.
    func signal(_ trigger: PassRecord.Trigger) {
        let waiter: CheckedContinuation<PassRecord.Trigger?, Never>? = box.withLockedValue { state in
            guard let waiter = state.waiter else {
                state.pending = trigger
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: trigger)
    }

    /// Stops the loop: the current or next wait returns nil.
    func close() {
        let waiter = box.withLockedValue { state -> CheckedContinuation<PassRecord.Trigger?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Waits up to `timeout`; returns the trigger, `.interval` on timeout, nil once closed or
    /// cancelled (the service group cancels the loop when another service fails to start).
    func wait(_ timeout: Duration) async -> PassRecord.Trigger? {
        await withTaskCancellationHandler {
            await waitForSignal(timeout)
        } onCancel: {
            close()
        }
    }

    private func waitForSignal(_ timeout: Duration) async -> PassRecord.Trigger? {
        await withCheckedContinuation { continuation in
            let (immediate, generation): (PassRecord.Trigger??, Int) = box.withLockedValue { state in
                if state.closed { return (.some(nil), 0) }
                if let pending = state.pending {
                    state.pending = nil
                    return (.some(pending), 0)
                }
                state.generation += 1
                state.waiter = continuation
                return (nil, state.generation)
            }
            if let immediate {
                continuation.resume(returning: immediate)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(generation)
            }
        }
    }

    private func expire(_ generation: Int) {
        let waiter = box.withLockedValue { state -> CheckedContinuation<PassRecord.Trigger?, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: .interval)
    }
}
