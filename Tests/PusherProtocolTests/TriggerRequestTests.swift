import PusherProtocol
import Testing

@Suite struct TriggerRequestTests {
    func event(_ text: String) -> Result<TriggerEvent, APIError> {
        TriggerRequest.event(body: Array(text.utf8), maxDataBytes: 10240)
    }

    @Test func parsesChannelsSocketAndInfo() throws {
        let e = try event(
            #"{"name":"n","data":"d","channels":["a","b"],"socket_id":"1.2","info":"user_count,subscription_count"}"#
        )
        .get()
        #expect(e.channels == ["a", "b"] && e.socketID == "1.2" && e.info == ["user_count", "subscription_count"])
        #expect(try event(#"{"name":"n","data":"d","channel":"a"}"#).get().channels == ["a"])
        #expect(try event(#"{"name":"n","data":{"x":1},"channel":"a"}"#).get().data == #"{"x":1}"#)
    }

    @Test func limits() {
        let channels = (0..<101).map { "\"c\($0)\"" }.joined(separator: ",")
        #expect(throws: APIError.self) { try event("{\"name\":\"n\",\"data\":\"d\",\"channels\":[\(channels)]}").get() }
        let big = String(repeating: "x", count: 10241)
        if case .failure(let e) = event("{\"name\":\"n\",\"data\":\"\(big)\",\"channel\":\"a\"}") {
            #expect(e.status == 413)
        } else {
            Issue.record("accepted 10241 bytes")
        }
        let batch = (0..<11).map { _ in #"{"name":"n","data":"d","channel":"a"}"# }.joined(separator: ",")
        #expect(throws: APIError.self) {
            try TriggerRequest.batch(body: Array("{\"batch\":[\(batch)]}".utf8), maxDataBytes: 10).get()
        }
    }

    /// Hosted Pusher's phrases first, Belfry's detail after.
    @Test func sizeRefusalsUsePushersWording() {
        let big = String(repeating: "x", count: 11264)
        let tooLarge =
            "Request Entity Too Large: The data content of this event exceeds the allowed maximum (10240 bytes)"
        #expect(throws: APIError(413, tooLarge + "; the event has 11264 bytes")) {
            try event("{\"name\":\"n\",\"data\":\"\(big)\",\"channel\":\"a\"}").get()
        }
        let item = "{\"name\":\"n\",\"data\":\"\(big)\",\"channel\":\"a\"}"
        #expect(throws: APIError(413, tooLarge + "; batch[0] has 11264 bytes")) {
            try TriggerRequest.batch(body: Array("{\"batch\":[\(item)]}".utf8), maxDataBytes: 10240).get()
        }
        let eleven = (0..<11).map { _ in #"{"name":"n","data":"d","channel":"a"}"# }.joined(separator: ",")
        #expect(throws: APIError(400, "Batch too large (11 > 10)")) {
            try TriggerRequest.batch(body: Array("{\"batch\":[\(eleven)]}".utf8), maxDataBytes: 10240).get()
        }
    }

    @Test(arguments: [
        "x", "[]", #"{"data":"d","channel":"a"}"#, #"{"name":"n","channel":"a"}"#, #"{"name":"n","data":"d"}"#,
        #"{"name":"n","data":"d","channel":"bad name"}"#, #"{"name":"n","data":"d","channel":"a","socket_id":"x"}"#,
        #"{"name":"n","data":"d","channel":"a","info":"bogus"}"#,
    ])
    func badRequests(text: String) {
        if case .failure(let e) = event(text) { #expect(e.status == 400) } else { Issue.record("accepted \(text)") }
    }
}
