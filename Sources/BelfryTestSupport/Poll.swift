import Foundation

/// Polling with a deadline, for conditions nothing signals (a child process starting to accept,
/// a pub/sub subscription taking effect): the one place the tests wait by checking again.
public enum Poll {
    /// Checks `condition` every `interval` until it holds (true) or `timeout` passes (false).
    public static func until(
        timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(20), _ condition: () -> Bool
    ) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            let (seconds, attoseconds) = interval.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
        }
        return condition()
    }

    /// The same for an asynchronous condition.
    public static func until(
        timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(20),
        _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: interval)
        }
        return try await condition()
    }
}
