import Testing

@testable import BelfryServer

/// `--engine auto`: epoll wherever it can listen, NIO for everything else.
@Suite struct EngineChoiceTests {
    @Test(arguments: ["0.0.0.0", "127.0.0.1", "10.1.2.3", "255.255.255.255"])
    func anIPv4AddressIsServedByEpoll(host: String) {
        #expect(ServerOptions.Engine.automatic(host: host) == .epoll)
    }

    @Test(arguments: ["::", "::1", "localhost", "example.com", "", "1.2.3", "1.2.3.256", "01.2.3.4.5"])
    func anythingElseIsServedByNIO(host: String) {
        #expect(ServerOptions.Engine.automatic(host: host) == .nio)
    }
}
