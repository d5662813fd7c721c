import PusherProtocol
import Testing

@Suite struct ClientMessageTests {
    func decode(_ text: String) -> Result<ClientMessage, ClientMessage.Invalid> {
        ClientMessage.decode(Array(text.utf8))
    }

    @Test func subscribeWithAuthAndChannelData() throws {
        let message = try decode(
            #"{"event":"pusher:subscribe","data":{"channel":"presence-x","auth":"k:s","channel_data":"{\"user_id\":\"1\"}"}}"#
        ).get()
        #expect(message == .subscribe(channel: "presence-x", auth: "k:s", channelData: #"{"user_id":"1"}"#))
    }

    @Test func pingPongUnsubscribeSignin() throws {
        #expect(try decode(#"{"event":"pusher:ping","data":{}}"#).get() == .ping)
        #expect(try decode(#"{"event":"pusher:pong"}"#).get() == .pong)
        #expect(
            try decode(#"{"event":"pusher:unsubscribe","data":{"channel":"a"}}"#).get() == .unsubscribe(channel: "a"))
        #expect(
            try decode(#"{"event":"pusher:signin","data":{"auth":"k:s","user_data":"{}"}}"#).get()
                == .signin(auth: "k:s", userData: "{}"))
    }

    @Test func clientEventKeepsDataAsGiven() throws {
        let message = try decode(#"{"event":"client-typing","channel":"private-a","data":{"b":2,"a":1}}"#).get()
        guard case .clientEvent(let name, let channel, let data) = message else {
            Issue.record("not a client event")
            return
        }
        #expect(name == "client-typing" && channel == "private-a")
        #expect(data.serialized == #"{"b":2,"a":1}"#)
        let stringData = try decode(#"{"event":"client-x","channel":"private-a","data":"{\"raw\":1}"}"#).get()
        if case .clientEvent(_, _, let d) = stringData { #expect(d == .string(#"{"raw":1}"#)) }
    }

    @Test(arguments: [
        "not json", "[]", #"{"data":{}}"#, #"{"event":5}"#, #"{"event":"pusher:subscribe"}"#,
        #"{"event":"pusher:subscribe","data":{"channel":5}}"#, #"{"event":"pusher:foo"}"#,
        #"{"event":"client-x","data":{}}"#, #"{"event":"hello"}"#,
    ])
    func invalidFramesAreErrorsNotCrashes(text: String) {
        #expect(throws: ClientMessage.Invalid.self) { try decode(text).get() }
    }
}
