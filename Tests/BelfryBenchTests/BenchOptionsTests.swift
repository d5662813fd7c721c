import Testing

@testable import BelfryBench

@Suite struct BenchOptionsTests {
    @Test func defaultsAreValid() {
        #expect(BenchOptions().validate() == nil)
    }

    static func broken(_ change: (inout BenchOptions) -> Void) -> BenchOptions {
        var options = BenchOptions()
        change(&options)
        return options
    }

    static let outOfRange: [(String, BenchOptions)] = [
        ("connections", broken { $0.connections = -1 }), ("channels", broken { $0.channels = 0 }),
        ("depth", broken { $0.depth = 0 }), ("publishers", broken { $0.publishers = 0 }),
        ("connect-concurrency", broken { $0.connectConcurrency = 0 }), ("rate", broken { $0.rate = -5 }),
        ("time-limit", broken { $0.timeLimit = 0 }), ("threads", broken { $0.threads = 0 }),
    ]

    @Test(arguments: outOfRange)
    func outOfRangeFlagsAreNamed(flag: String, options: BenchOptions) {
        guard case .outOfRange(let named, _, _) = options.validate() else {
            Issue.record("expected outOfRange for \(flag)")
            return
        }
        #expect(named == flag)
    }

    @Test func zeroConnectionsAndMessagesAreAllowed() {
        var options = BenchOptions()
        options.connections = 0
        options.messages = 0
        #expect(options.validate() == nil)
    }

    @Test func channelPrefixMustBeAValidChannelName() {
        var options = BenchOptions()
        options.channelPrefix = "has space"
        #expect(options.validate() == .badChannelPrefix("has space"))
    }

    @Test func urlsAreReadOrRefused() throws {
        #expect(try ServerAddress.parse("http://127.0.0.1:6001").get() == ServerAddress(host: "127.0.0.1", port: 6001))
        #expect(try ServerAddress.parse("ws://example.com/").get() == ServerAddress(host: "example.com", port: 80))
        #expect(
            try ServerAddress.parse("https://example.com").get()
                == ServerAddress(host: "example.com", port: 443, tls: true))
        #expect(
            try ServerAddress.parse("wss://127.0.0.1:8443/").get()
                == ServerAddress(host: "127.0.0.1", port: 8443, tls: true))
        for bad in ["ftp://x:1", "127.0.0.1:6001", "http://x:0", "http://x:1/path", "http://:80", "https://x:1/a"] {
            var options = BenchOptions()
            options.url = bad
            guard case .badURL = options.validate() else {
                Issue.record("\(bad) should be refused")
                continue
            }
        }
    }

    /// SNI carries a host name, never an IP address.
    @Test func tlsRecognisesIPAddresses() {
        #expect(TLSClient.isIPAddress("127.0.0.1"))
        #expect(TLSClient.isIPAddress("[::1]"))
        #expect(TLSClient.isIPAddress("::1"))
        #expect(!TLSClient.isIPAddress("localhost"))
        #expect(!TLSClient.isIPAddress("example.com"))
    }

    @Test func subscriberTargetsDefaultToTheURL() {
        var options = BenchOptions()
        options.url = "http://127.0.0.1:7001"
        #expect(options.subscriberTargets == ["http://127.0.0.1:7001"])
        options.subscribeURLs = ["http://127.0.0.1:7001", "http://127.0.0.1:7002"]
        #expect(options.subscriberTargets == ["http://127.0.0.1:7001", "http://127.0.0.1:7002"])
    }

    @Test func badSubscribeURLsNameTheirFlag() {
        var options = BenchOptions()
        options.subscribeURLs = ["http://127.0.0.1:7002", "127.0.0.1:7003"]
        guard case .badSubscribeURL(let url, _) = options.validate() else {
            Issue.record("expected badSubscribeURL")
            return
        }
        #expect(url == "127.0.0.1:7003")
        #expect(options.validate()?.description.hasPrefix("--subscribe-url 127.0.0.1:7003: ") == true)
    }

    @Test func everyServerPidMustBePositive() {
        var options = BenchOptions()
        options.serverPIDs = [42, 43]
        #expect(options.validate() == nil)
        options.serverPIDs = [42, 0]
        #expect(options.validate() == .outOfRange(flag: "server-pid", value: "0", requirement: "> 0"))
    }

    @Test func errorTextNamesTheFlag() {
        var options = BenchOptions()
        options.channels = 0
        #expect(options.validate()?.description == "--channels 0: must be >= 1")
    }
}
