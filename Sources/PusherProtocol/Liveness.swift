/// Server-side liveness of one connection: after `activityTimeout` without any inbound frame the
/// server pings; without an answer within `pongTimeout` it closes with 4201. Times are
/// monotonic nanoseconds supplied by the owner, so tests drive it with a mock clock.
public struct LivenessStateMachine: Sendable {
    public let activityTimeout: UInt64
    public let pongTimeout: UInt64
    private var lastActivity: UInt64
    private var pingSentAt: UInt64?

    public init(now: UInt64, activityTimeoutSeconds: Int, pongTimeoutSeconds: Int) {
        self.activityTimeout = UInt64(activityTimeoutSeconds) * 1_000_000_000
        self.pongTimeout = UInt64(pongTimeoutSeconds) * 1_000_000_000
        self.lastActivity = now
    }

    public enum Action: Sendable, Equatable {
        case none
        case sendPing
        case close(CloseReason)
    }

    /// Any inbound frame counts as activity.
    public mutating func received(now: UInt64) {
        lastActivity = now
        pingSentAt = nil
    }

    /// Called at or after `nextDeadline`; says what to do now.
    public mutating func tick(now: UInt64) -> Action {
        if let pingSentAt {
            return now >= pingSentAt + pongTimeout ? .close(CloseReason(.pongNotReceived)) : .none
        }
        if now >= lastActivity + activityTimeout {
            pingSentAt = now
            return .sendPing
        }
        return .none
    }

    /// When `tick` should next be called.
    public var nextDeadline: UInt64 {
        if let pingSentAt { return pingSentAt + pongTimeout }
        return lastActivity + activityTimeout
    }
}
