import PusherProtocol
import Testing

/// `allowedOrigins`: host patterns match any scheme and port; origins match scheme, host and port.
@Suite struct OriginPolicyTests {
    static let patterns = [
        "example.com", "*.good.test", "https://shop.example.net", "http://localhost:8080", "HTTPS://Upper.Example",
    ]

    @Test(arguments: [
        "https://example.com", "http://example.com:8080", "https://app.good.test", "https://x.y.good.test",
        "https://shop.example.net", "https://shop.example.net:443", "HTTPS://SHOP.example.net",
        "http://localhost:8080", "https://upper.example",
    ])
    func allowed(origin: String) {
        #expect(OriginPolicy.allows(origin: origin, patterns: Self.patterns))
    }

    @Test(arguments: [
        // An origin entry: another scheme, another port, the default port of another scheme.
        "http://shop.example.net", "https://shop.example.net:8443", "http://shop.example.net:443",
        "http://localhost", "http://localhost:8081", "https://localhost:8080",
        // Host patterns stay host patterns.
        "https://good.test", "https://good.test.evil.com", "https://notexample.com", "https://example.com.evil.test",
        // Not an origin at all.
        "null", "example.com", "https://example.com:", "https://example.com:99999", "https://example.com:+80",
    ])
    func refused(origin: String) {
        #expect(!OriginPolicy.allows(origin: origin, patterns: Self.patterns))
    }

    @Test func anyOriginAndNoHeader() {
        #expect(!OriginPolicy.allows(origin: nil, patterns: Self.patterns))
        #expect(OriginPolicy.allows(origin: nil, patterns: []))
        #expect(OriginPolicy.allows(origin: nil, patterns: ["*"]))
        #expect(OriginPolicy.allows(origin: "https://any.where", patterns: ["example.com", "*"]))
    }

    @Test func ipv6Origins() {
        let patterns = ["http://[::1]:8080", "https://[::1]"]
        #expect(OriginPolicy.allows(origin: "http://[::1]:8080", patterns: patterns))
        #expect(OriginPolicy.allows(origin: "https://[::1]:443", patterns: patterns))
        #expect(!OriginPolicy.allows(origin: "http://[::1]", patterns: patterns))
        #expect(!OriginPolicy.allows(origin: "http://[::1]:8081", patterns: patterns))
    }

    @Test func aSchemeWithoutADefaultPortMatchesOnlyWithoutAPort() {
        let patterns = ["capacitor://localhost"]
        #expect(OriginPolicy.allows(origin: "capacitor://localhost", patterns: patterns))
        #expect(!OriginPolicy.allows(origin: "capacitor://localhost:8080", patterns: patterns))
    }
}
