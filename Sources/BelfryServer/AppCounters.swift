import Atomics
import NIOConcurrencyHelpers

/// Cumulative counters of one app on this node, cheap enough for the hot path: atomics for what
/// happens per message, a lock for what happens per connection or request. Readers (the stats
/// flusher, `/metrics`) take a `Snapshot`; they compute deltas themselves.
public final class AppCounters: Sendable {
    let newConnections = ManagedAtomic(0)
    let subscriptions = ManagedAtomic(0)
    let messagesReceived = ManagedAtomic(0)
    let messagesDelivered = ManagedAtomic(0)
    let bytesIn = ManagedAtomic(0)
    let bytesOut = ManagedAtomic(0)
    private let maps = NIOLockedValueBox(Maps())

    struct Maps {
        var disconnections: [String: Int] = [:]
        var apiRequests: [String: Int] = [:]
        var rejections: [String: Int] = [:]
        /// Highest concurrent connections and channels since the last `markPeaks`.
        var peakConnections = 0
        var peakChannels = 0
    }

    /// A consistent read of every counter.
    public struct Snapshot: Sendable, Equatable {
        public var connections = 0
        public var channels = 0
        public var newConnections = 0
        public var subscriptions = 0
        public var messagesReceived = 0
        public var messagesDelivered = 0
        public var bytesIn = 0
        public var bytesOut = 0
        public var disconnections: [String: Int] = [:]
        public var apiRequests: [String: Int] = [:]
        public var rejections: [String: Int] = [:]
        public var peakConnections = 0
        public var peakChannels = 0
    }

    func disconnected(code: UInt16) { maps.withLockedValue { $0.disconnections[String(code), default: 0] += 1 } }
    func apiRequest(_ key: String) { maps.withLockedValue { $0.apiRequests[key, default: 0] += 1 } }
    func rejected(_ reason: String) { maps.withLockedValue { $0.rejections[reason, default: 0] += 1 } }

    /// Records the current connection and channel counts as candidates for the peaks.
    func observe(connections: Int, channels: Int) {
        maps.withLockedValue {
            $0.peakConnections = max($0.peakConnections, connections)
            $0.peakChannels = max($0.peakChannels, channels)
        }
    }

    func snapshot(connections: Int, channels: Int, resetPeaks: Bool) -> Snapshot {
        var s = Snapshot(connections: connections, channels: channels)
        s.newConnections = newConnections.load(ordering: .relaxed)
        s.subscriptions = subscriptions.load(ordering: .relaxed)
        s.messagesReceived = messagesReceived.load(ordering: .relaxed)
        s.messagesDelivered = messagesDelivered.load(ordering: .relaxed)
        s.bytesIn = bytesIn.load(ordering: .relaxed)
        s.bytesOut = bytesOut.load(ordering: .relaxed)
        maps.withLockedValue { maps in
            s.disconnections = maps.disconnections
            s.apiRequests = maps.apiRequests
            s.rejections = maps.rejections
            s.peakConnections = max(maps.peakConnections, connections)
            s.peakChannels = max(maps.peakChannels, channels)
            if resetPeaks {
                maps.peakConnections = connections
                maps.peakChannels = channels
            }
        }
        return s
    }
}
