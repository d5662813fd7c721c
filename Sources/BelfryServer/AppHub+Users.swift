import NIOCore
import PusherProtocol

/// Signed-in users, `#server-to-user-` delivery and watchlists.
extension AppHub {
    /// One watchlist event for some watchers, queued under the lock where it was decided.
    struct WatchNotice {
        var watchers: [Connection]
        var message: String
    }

    struct Signin {
        /// Watched users currently online and offline, for the first watchlist event.
        var online: [String]
        var offline: [String]
    }

    /// Registers `connection` as signed in as `user`; announces `online` to the user's watchers
    /// when this is the user's first signed-in connection.
    func signin(_ connection: Connection, as user: SigninUser) -> Signin {
        let id = ObjectIdentifier(connection)
        let result: Signin = withState { state in
            let cameOnline = (state.users[user.id]?.isEmpty ?? true)
            state.users[user.id, default: [:]][id] = connection
            for watched in user.watchlist { state.watchers[watched, default: [:]][id] = connection }
            let online = user.watchlist.filter { !(state.users[$0]?.isEmpty ?? true) }
            let offline = user.watchlist.filter { state.users[$0]?.isEmpty ?? true }
            if cameOnline, let watchers = state.watchers[user.id], !watchers.isEmpty {
                state.watchNotices.append(
                    WatchNotice(
                        watchers: Array(watchers.values),
                        message: ServerMessage.watchlistEvents(online: [user.id], offline: [])))
            }
            return Signin(online: online, offline: offline)
        }
        handOverWatchNotices()
        return result
    }

    /// Removes a closing connection's sign-in; announces `offline` if it was the user's last.
    func signout(_ connection: Connection) {
        guard let user = connection.signedIn else { return }
        let id = ObjectIdentifier(connection)
        withState { state in
            for watched in user.watchlist {
                state.watchers[watched]?[id] = nil
                if state.watchers[watched]?.isEmpty == true { state.watchers[watched] = nil }
            }
            guard state.users[user.id]?.removeValue(forKey: id) != nil else { return }
            guard state.users[user.id]?.isEmpty == true else { return }
            state.users[user.id] = nil
            if let watchers = state.watchers[user.id], !watchers.isEmpty {
                state.watchNotices.append(
                    WatchNotice(
                        watchers: Array(watchers.values),
                        message: ServerMessage.watchlistEvents(online: [], offline: [user.id])))
            }
        }
        handOverWatchNotices()
    }

    /// Hands the queued watchlist events to the watchers' loops in the order they were decided,
    /// so a watcher never gets a user's `offline` after a later `online`. One thread at a time
    /// drains the queue (a thread that finds another draining leaves its notices to it), and each
    /// is enqueued on its loop rather than written in place, so the loops' task queues keep the
    /// order even for a watcher on the draining thread's own loop.
    private func handOverWatchNotices() {
        while true {
            let batch: [WatchNotice] = withState { state in
                guard !state.watchNoticesDraining, !state.watchNotices.isEmpty else { return [] }
                state.watchNoticesDraining = true
                defer { state.watchNotices.removeAll(keepingCapacity: true) }
                return state.watchNotices
            }
            guard !batch.isEmpty else { return }
            for notice in batch {
                let payload = Self.payload(notice.message)
                for group in FanOut.partition(notice.watchers, loops: loopCount) {
                    guard let loop = group.first?.loop else { continue }
                    loop.execute { FanOut.deliver(payload, to: [group]) }
                }
            }
            withState { $0.watchNoticesDraining = false }
        }
    }

    /// Every connection signed in as `userID`.
    func connections(ofUser userID: String) -> [Connection] {
        withState { Array(($0.users[userID] ?? [:]).values) }
    }

    /// Sends `payload` to every connection signed in as `userID`, subscribed or not.
    func publish(toUser userID: String, payload: ByteBuffer, except: String?, receipt: FanOut.Receipt? = nil) {
        let groups = FanOut.partition(connections(ofUser: userID), loops: loopCount)
        FanOut.deliver(payload, to: groups, except: except, counters: counters, receipt: receipt)
    }
}
