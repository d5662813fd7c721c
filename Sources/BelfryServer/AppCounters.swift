import Atomics
import NIOConcurrencyHelpers

/// Cumulative counters of one app on this node, cheap enough for the hot path: atomics for what
/// happens per message, a lock for what happens per connection or request. Readers (the stats
/// flusher, `/metrics`) take a `Snapshot`; they compute deltas themselves.
///
/// Bytes are what crossed the wire: whole WebSocket frames (headers included) and HTTP API
/// requests and responses (head and body), counted apart so `/metrics` can tell them apart.
public final class AppCounters: Sendable {
    let newConnections = ManagedAtomic(0)
    let subscriptions = ManagedAtomic(0)
    let messagesReceived = ManagedAtomic(0)
    let messagesDelivered = ManagedAtomic(0)
    /// WebSocket frames received and sent, headers included.
    let frameBytesIn = ManagedAtomic(0)
    let frameBytesOut = ManagedAtomic(0)
    /// HTTP API requests as read and responses as written.
    let httpBytesIn = ManagedAtomic(0)
    let httpBytesOut = ManagedAtomic(0)
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
        /// Every byte received and sent for the app: WebSocket frames plus HTTP API traffic.
        public var bytesIn = 0
        public var bytesOut = 0
        /// The HTTP API's share of `bytesIn` and `bytesOut`.
        public var httpBytesIn = 0
        public var httpBytesOut = 0
        public var disconnections: [String: Int] = [:]
        public var apiRequests: [String: Int] = [:]
        public var rejections: [String: Int] = [:]
        public var peakConnections = 0
        public var peakChannels = 0
    }

    /// Counts a WebSocket frame written to a client (whole frame, header included).
    func sentFrame(payload: Int) {
        frameBytesOut.wrappingIncrement(by: FrameSize.server(payload: payload), ordering: .relaxed)
    }

    /// Counts one HTTP API exchange of the app.
    func httpExchange(requestBytes: Int, responseBytes: Int) {
        httpBytesIn.wrappingIncrement(by: requestBytes, ordering: .relaxed)
        httpBytesOut.wrappingIncrement(by: responseBytes, ordering: .relaxed)
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
        s.httpBytesIn = httpBytesIn.load(ordering: .relaxed)
        s.httpBytesOut = httpBytesOut.load(ordering: .relaxed)
        s.bytesIn = frameBytesIn.load(ordering: .relaxed) &+ s.httpBytesIn
        s.bytesOut = frameBytesOut.load(ordering: .relaxed) &+ s.httpBytesOut
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
