import PusherProtocol
import Testing

@Suite struct ServerMessageTests {
    @Test func exactShapes() {
        #expect(
            ServerMessage.connectionEstablished(socketID: "1.2", activityTimeout: 120)
                == #"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",\"activity_timeout\":120}"}"#
        )
        #expect(
            ServerMessage.error(code: 4001, message: "x")
                == #"{"event":"pusher:error","data":{"code":4001,"message":"x"}}"#)
        #expect(
            ServerMessage.error(code: nil, message: "x")
                == #"{"event":"pusher:error","data":{"code":null,"message":"x"}}"#)
        #expect(
            ServerMessage.subscriptionSucceeded(channel: "c")
                == #"{"event":"pusher_internal:subscription_succeeded","channel":"c","data":"{}"}"#)
        #expect(ServerMessage.cacheMiss(channel: "cache-a") == #"{"event":"pusher:cache_miss","channel":"cache-a"}"#)
        #expect(
            ServerMessage.signinSuccess(userData: #"{"id":"1"}"#)
                == #"{"event":"pusher:signin_success","data":{"user_data":"{\"id\":\"1\"}"}}"#)
    }

    /// A socket id that is not digits and a dot (none is generated so, but the function takes any
    /// string) is escaped at both levels, not interpolated as is.
    @Test func connectionEstablishedEscapesAnOddSocketID() {
        #expect(
            ServerMessage.connectionEstablished(socketID: #"1"2"#, activityTimeout: 30)
                == #"{"event":"pusher:connection_established","data":"{\"socket_id\":\"1\\\"2\",\"activity_timeout\":30}"}"#
        )
    }

    @Test func presenceShapes() {
        let data = ServerMessage.presenceData(members: [("u1", .object([("n", .string("A"))])), ("u2", nil)])
        #expect(data == #"{"presence":{"ids":["u1","u2"],"hash":{"u1":{"n":"A"},"u2":null},"count":2}}"#)
        #expect(
            ServerMessage.memberAdded(channel: "presence-a", userID: "u3", userInfo: .object([]))
                == #"{"event":"pusher_internal:member_added","channel":"presence-a","data":"{\"user_id\":\"u3\",\"user_info\":{}}"}"#
        )
        #expect(
            ServerMessage.memberRemoved(channel: "presence-a", userID: "u3")
                == #"{"event":"pusher_internal:member_removed","channel":"presence-a","data":"{\"user_id\":\"u3\"}"}"#)
    }

    @Test func eventShapes() {
        #expect(
            ServerMessage.channelEvent(event: "e", channel: "c", data: #"{"a":1}"#)
                == #"{"event":"e","channel":"c","data":"{\"a\":1}"}"#)
        #expect(
            ServerMessage.clientEvent(
                event: "client-e", channel: "presence-c", data: .object([("a", .number("1"))]), userID: "u")
                == #"{"event":"client-e","channel":"presence-c","data":{"a":1},"user_id":"u"}"#)
        #expect(
            ServerMessage.watchlistEvents(online: ["a"], offline: [])
                == #"{"event":"pusher_internal:watchlist_events","data":{"events":[{"name":"online","user_ids":["a"]}]}}"#
        )
    }
}
