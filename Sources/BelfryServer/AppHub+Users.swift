import NIOCore
import PusherProtocol

/// Signed-in users, `#server-to-user-` delivery and watchlists.
extension AppHub {
    struct Signin {
        /// Watched users currently online and offline, for the first watchlist event.
        var online: [String]
        var offline: [String]
    }

    /// Registers `connection` as signed in as `user`; announces `online` to the user's watchers
    /// when this is the user's first signed-in connection.
    func signin(_ connection: Connection, as user: SigninUser) -> Signin {
        let id = ObjectIdentifier(connection)
        let (result, watchers): (Signin, [Connection]) = withState { state in
            let cameOnline = (state.users[user.id]?.isEmpty ?? true)
            state.users[user.id, default: [:]][id] = connection
            for watched in user.watchlist { state.watchers[watched, default: [:]][id] = connection }
            let online = user.watchlist.filter { !(state.users[$0]?.isEmpty ?? true) }
            let offline = user.watchlist.filter { state.users[$0]?.isEmpty ?? true }
            let watchers = cameOnline ? Array((state.watchers[user.id] ?? [:]).values) : []
            return (Signin(online: online, offline: offline), watchers)
        }
        notify(watchers, ServerMessage.watchlistEvents(online: [user.id], offline: []))
        return result
    }

    /// Removes a closing connection's sign-in; announces `offline` if it was the user's last.
    func signout(_ connection: Connection) {
        guard let user = connection.signedIn else { return }
        let id = ObjectIdentifier(connection)
        let watchers: [Connection] = withState { state in
            for watched in user.watchlist {
                state.watchers[watched]?[id] = nil
                if state.watchers[watched]?.isEmpty == true { state.watchers[watched] = nil }
            }
            guard state.users[user.id]?.removeValue(forKey: id) != nil else { return [] }
            guard state.users[user.id]?.isEmpty == true else { return [] }
            state.users[user.id] = nil
            return Array((state.watchers[user.id] ?? [:]).values)
        }
        notify(watchers, ServerMessage.watchlistEvents(online: [], offline: [user.id]))
    }

    /// Every connection signed in as `userID`.
    func connections(ofUser userID: String) -> [Connection] {
        withState { Array(($0.users[userID] ?? [:]).values) }
    }

    /// Sends `payload` to every connection signed in as `userID`, subscribed or not.
    func publish(toUser userID: String, payload: ByteBuffer, except: String?) {
        let groups = FanOut.partition(connections(ofUser: userID), loops: loopCount)
        FanOut.deliver(payload, to: groups, except: except, counters: counters)
    }

    private func notify(_ connections: [Connection], _ message: String) {
        guard !connections.isEmpty else { return }
        FanOut.deliver(Self.payload(message), to: FanOut.partition(connections, loops: loopCount))
    }
}
