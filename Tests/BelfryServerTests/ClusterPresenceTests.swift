import NIOCore
import NIOEmbedded
import Testing

@testable import BelfryServer

/// In a cluster a member event can overtake or trail the roster it belongs with: what a client
/// is told goes through what it was told already, so it hears of each member once.
@Suite struct ClusterPresenceTests {
    let channel = EmbeddedChannel(loop: EmbeddedEventLoop())

    private func received() throws -> [String] {
        try WrittenFrames.read(channel).map(\.payload)
    }

    private func event(_ user: String, joined: Bool) -> MemberEvent {
        MemberEvent(userID: user, joined: joined, frame: (joined ? "added " : "removed ") + user)
    }

    @Test func eventsWhileTheJoinWaitsPassThroughTheRosterWhenItComes() throws {
        let connection = Connection(
            socketID: "1.1", appID: "1", transport: ChannelTransport(channel), loopIndex: 0, maxBacklog: 1 << 20)
        connection.subscriptions["presence-p"] = .some("me")
        // Before the roster: held, nothing sent.
        connection.tell(event("a", joined: true), channel: "presence-p")  // the roster will have a
        connection.tell(event("b", joined: true), channel: "presence-p")  // read before b joined
        connection.tell(event("c", joined: false), channel: "presence-p")  // c left before the read
        #expect(try received().isEmpty)
        connection.tellRoster(channel: "presence-p", ids: ["me", "a"], frame: "roster")
        #expect(try received() == ["roster", "added b"])
        // Afterwards: a known member's add and an unknown member's removal are not sent.
        connection.tell(event("b", joined: true), channel: "presence-p")
        connection.tell(event("z", joined: false), channel: "presence-p")
        connection.tell(event("b", joined: false), channel: "presence-p")
        connection.tell(event("b", joined: false), channel: "presence-p")
        #expect(try received() == ["removed b"])
        // A second roster (after an outage) replaces what it knows.
        connection.tellRoster(channel: "presence-p", ids: ["me", "x"], frame: "roster 2")
        connection.tell(event("a", joined: false), channel: "presence-p")
        connection.tell(event("x", joined: false), channel: "presence-p")
        #expect(try received() == ["roster 2", "removed x"])
    }

    @Test func aConnectionThatLeftTheChannelIsToldNothing() throws {
        let connection = Connection(
            socketID: "1.1", appID: "1", transport: ChannelTransport(channel), loopIndex: 0, maxBacklog: 1 << 20)
        connection.subscriptions["presence-p"] = .some("me")
        connection.tellRoster(channel: "presence-p", ids: ["me"], frame: "roster")
        connection.subscriptions["presence-p"] = nil
        connection.forgetMembers(channel: "presence-p")
        connection.tell(event("a", joined: true), channel: "presence-p")
        #expect(try received() == ["roster"])
        #expect(connection.toldMembers.isEmpty && connection.heldMemberEvents.isEmpty)
    }

    @Test func heldEventsAreBounded() throws {
        let connection = Connection(
            socketID: "1.1", appID: "1", transport: ChannelTransport(channel), loopIndex: 0, maxBacklog: 1 << 20)
        connection.subscriptions["presence-p"] = .some("me")
        for index in 0..<(Connection.maxHeldMemberEvents + 10) {
            connection.tell(event("u\(index)", joined: true), channel: "presence-p")
        }
        #expect(connection.heldMemberEvents["presence-p"]?.count == Connection.maxHeldMemberEvents)
        #expect(connection.heldMemberEvents["presence-p"]?.first?.userID == "u10", "the oldest went")
    }
}
