import PusherProtocol
import Testing

@Suite struct ChannelNameTests {
    @Test(arguments: [
        ("news", ChannelKind.Access.public, false),
        ("cache-news", .public, true),
        ("private-x", .private, false),
        ("private-cache-x", .private, true),
        ("private-encrypted-x", .privateEncrypted, false),
        ("private-encrypted-cache-x", .privateEncrypted, true),
        ("presence-room", .presence, false),
        ("presence-cache-room", .presence, true),
        // Exact prefixes with the dash, anchored at the start (peers get these wrong).
        ("foo-private-bar", .public, false),
        ("privatechannel", .public, false),
        ("foo-cache-x", .public, false),
        ("presence", .public, false),
        ("#server-to-user-42", .serverToUser(userID: "42"), false),
    ])
    func kindByLongestExactPrefix(name: String, access: ChannelKind.Access, cache: Bool) throws {
        let kind = try ChannelName.classify(name).get()
        #expect(kind.access == access)
        #expect(kind.isCache == cache)
    }

    @Test func validCharacters() {
        #expect((try? ChannelName.classify("a-Z_0=@,.;").get()) != nil)
    }

    @Test(arguments: [
        "", "has space", "ümlaut", "slash/", "#other", "#server-to-user-", String(repeating: "a", count: 201),
    ])
    func invalidNames(name: String) {
        #expect(throws: ChannelName.Invalid.self) { try ChannelName.classify(name).get() }
    }

    @Test func lengthLimitIs200() {
        #expect((try? ChannelName.classify(String(repeating: "a", count: 200)).get()) != nil)
        #expect(throws: ChannelName.Invalid.tooLong(201)) {
            try ChannelName.classify(String(repeating: "a", count: 201)).get()
        }
    }

    @Test func clientEventsOnlyOnPrivateAndPresence() throws {
        #expect(try ChannelName.classify("private-a").get().allowsClientEvents)
        #expect(try ChannelName.classify("private-encrypted-a").get().allowsClientEvents)
        #expect(try ChannelName.classify("presence-a").get().allowsClientEvents)
        #expect(try !ChannelName.classify("public-a").get().allowsClientEvents)
        #expect(try !ChannelName.classify("cache-a").get().allowsClientEvents)
    }
}
