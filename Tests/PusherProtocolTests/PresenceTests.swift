import PusherProtocol
import Testing

@Suite struct PresenceTests {
    func member(_ id: String) -> PresenceMember { PresenceMember(userID: id, userInfo: .object([("n", .string(id))])) }

    @Test func oneMemberPerUserAcrossConnections() {
        var roster = PresenceRoster()
        #expect(roster.join(member("u1")) == .firstConnection)
        #expect(roster.join(member("u1")) == .additionalConnection)
        #expect(roster.join(member("u2")) == .firstConnection)
        #expect(roster.userCount == 2)
        #expect(roster.members.map(\.id) == ["u1", "u2"])
        #expect(roster.leave(userID: "u1") == false)
        #expect(roster.userCount == 2)
        #expect(roster.leave(userID: "u1") == true)
        #expect(roster.members.map(\.id) == ["u2"])
        #expect(roster.leave(userID: "nobody") == false)
    }

    @Test func hundredMembersMax() {
        var roster = PresenceRoster()
        for i in 0..<100 { #expect(roster.join(member("u\(i)")) == .firstConnection) }
        #expect(roster.join(member("u100")) == .full)
        #expect(roster.join(member("u5")) == .additionalConnection)
    }

    @Test func theMemberLimitIsTheApps() throws {
        var roster = PresenceRoster()
        #expect(roster.join(member("a"), maxMembers: 1) == .firstConnection)
        #expect(roster.join(member("b"), maxMembers: 1) == .full)
        #expect(roster.join(member("a"), maxMembers: 1) == .additionalConnection)
        for i in 0..<150 { #expect(roster.join(member("u\(i)"), maxMembers: nil) == .firstConnection) }
        let big = #"{"user_id":"u","user_info":{"name":"\#(String(repeating: "x", count: 2000))"}}"#
        #expect(throws: ClientMessage.Invalid.self) { try PresenceMember.parse(channelData: big).get() }
        #expect(try PresenceMember.parse(channelData: big, maxUserInfoBytes: nil).get().userID == "u")
    }

    @Test func channelDataParsing() throws {
        let numeric = try PresenceMember.parse(channelData: #"{"user_id":10,"user_info":{"name":"A"}}"#).get()
        #expect(numeric.userID == "10")
        #expect(numeric.userInfo?.serialized == #"{"name":"A"}"#)
        let bare = try PresenceMember.parse(channelData: #"{"user_id":"u"}"#).get()
        #expect(bare.userInfo == nil)
    }

    @Test(arguments: [
        nil, "", "[]", #"{"user_info":{}}"#, #"{"user_id":true}"#, #"{"user_id":""}"#,
        "{\"user_id\":\"\(String(repeating: "x", count: 129))\"}",
        #"{"user_id":"a\nINFO reconcile applied"}"#, #"{"user_id":"\u0000"}"#, #"{"user_id":"a\u009bb"}"#,
        "{\"user_id\":\"u\",\"user_info\":{\"bio\":\"\(String(repeating: "x", count: 1100))\"}}",
    ])
    func invalidChannelData(text: String?) {
        #expect(throws: ClientMessage.Invalid.self) { try PresenceMember.parse(channelData: text).get() }
    }

    @Test func signinUserData() throws {
        let user = try SigninUser.parse(userData: #"{"id":"u1","user_info":{},"watchlist":["a","b","a"]}"#).get()
        #expect(user.id == "u1" && user.watchlist == ["a", "b"] && !user.watchlistTruncated)
        let many = (0..<120).map { "\"w\($0)\"" }.joined(separator: ",")
        let big = try SigninUser.parse(userData: "{\"id\":\"u\",\"watchlist\":[\(many)]}").get()
        #expect(big.watchlist.count == 100 && big.watchlistTruncated)
        #expect(throws: ClientMessage.Invalid.self) { try SigninUser.parse(userData: #"{"id":""}"#).get() }
        #expect(throws: ClientMessage.Invalid.self) { try SigninUser.parse(userData: #"{"id":5}"#).get() }
    }
}
