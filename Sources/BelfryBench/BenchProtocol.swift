/// Which server dialect the load generator speaks, so Belfry and nginx+nchan can be compared
/// with the same client and the same figures.
public enum BenchProtocol: String, Sendable, CaseIterable {
    /// Pusher Channels: `/app/{key}` WebSocket, `pusher:subscribe`, signed `POST /apps/{id}/events`.
    case pusher
    /// nchan: `/sub/{channel}` WebSocket (ready on upgrade), unsigned `POST /pub/{channel}`.
    case nchan
}
