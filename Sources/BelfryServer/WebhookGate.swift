/// What hosted Pusher's webhooks promise and peers get wrong, as a pure state machine over one
/// app's raw events (`pusher.md` §3.1–3.2):
///
/// - `channel_vacated` and `member_removed` wait `delay` (3 s); if the channel is occupied again
///   (the user rejoins) meanwhile, neither the pending event nor the new `channel_occupied`
///   (`member_added`) is sent: a page reload sends nothing.
/// - `cache_miss` is sent once per occupancy of a channel.
/// - `subscription_count` is sent on every change while a channel has at most 100 subscribers,
///   then at most once per 5 s with the latest count.
///
/// Memory is bounded by the app's channels: every entry goes when its channel is vacated.
struct WebhookGate {
    static let delay: UInt64 = 3_000_000_000
    static let countInterval: UInt64 = 5_000_000_000
    static let countThrottleAbove = 100

    private struct MemberKey: Hashable {
        var channel: String
        var user: String
    }

    private var vacating: [String: (due: UInt64, event: WebhookEvent)] = [:]
    private var removing: [MemberKey: (due: UInt64, event: WebhookEvent)] = [:]
    private var cacheMissSent: Set<String> = []
    /// Per channel: when a count was last sent, and a newer one held back (throttled).
    private var counts: [String: (sentAt: UInt64, held: (due: UInt64, event: WebhookEvent)?)] = [:]

    /// Whether delayed events wait to be released by `due(now:)`.
    var hasPending: Bool { !vacating.isEmpty || !removing.isEmpty || counts.values.contains { $0.held != nil } }

    /// The events to send now for one raw event (`now` in monotonic nanoseconds).
    mutating func pass(_ event: WebhookEvent, now: UInt64) -> [WebhookEvent] {
        switch event.name {
        case .channelVacated:
            guard let channel = event.channel else { return [event] }
            vacating[channel] = (now + Self.delay, event)
            return []
        case .channelOccupied:
            guard let channel = event.channel else { return [event] }
            if vacating.removeValue(forKey: channel) != nil { return [] }
            return [event]
        case .memberRemoved:
            guard let channel = event.channel, let user = event.userID else { return [event] }
            removing[MemberKey(channel: channel, user: user)] = (now + Self.delay, event)
            return []
        case .memberAdded:
            guard let channel = event.channel, let user = event.userID else { return [event] }
            if removing.removeValue(forKey: MemberKey(channel: channel, user: user)) != nil { return [] }
            return [event]
        case .cacheMiss:
            guard let channel = event.channel else { return [event] }
            return cacheMissSent.insert(channel).inserted ? [event] : []
        case .subscriptionCount:
            guard let channel = event.channel, let count = event.subscriptionCount else { return [event] }
            let last = counts[channel]
            if count <= Self.countThrottleAbove || last == nil || now - last!.sentAt >= Self.countInterval {
                counts[channel] = (now, nil)
                return [event]
            }
            counts[channel] = (last!.sentAt, (last!.sentAt + Self.countInterval, event))
            return []
        case .clientEvent, .connectionOpened, .connectionClosed:
            return [event]
        }
    }

    /// The delayed events whose time has come, oldest first.
    mutating func due(now: UInt64) -> [WebhookEvent] {
        var released: [(UInt64, WebhookEvent)] = []
        for (key, entry) in removing where entry.due <= now {
            released.append((entry.due, entry.event))
            removing[key] = nil
        }
        for (channel, entry) in vacating where entry.due <= now {
            released.append((entry.due, entry.event))
            vacating[channel] = nil
            // The occupancy is over: its cache miss and counts are forgotten.
            cacheMissSent.remove(channel)
            counts[channel] = nil
        }
        for (channel, entry) in counts {
            if let held = entry.held, held.due <= now {
                released.append((held.due, held.event))
                counts[channel] = (now, nil)
            }
        }
        return released.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Forgets what is kept of a channel's occupancy (its vacate was decided elsewhere: the
    /// cluster). A held count is dropped with it.
    mutating func forget(channel: String) {
        cacheMissSent.remove(channel)
        counts[channel] = nil
    }

    /// Everything still held, at once (a shutdown: better early than lost).
    mutating func flush() -> [WebhookEvent] {
        due(now: UInt64.max)
    }
}
