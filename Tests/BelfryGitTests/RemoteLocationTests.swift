import Testing

@testable import BelfryGit

@Suite struct RemoteLocationTests {
    @Test(
        arguments: [
            ("/srv/config.git", RemoteLocation.Transport.local, nil, nil, nil),
            ("relative/dir", .local, nil, nil, nil),
            ("./a:b", .local, nil, nil, nil),
            ("file:///srv/config.git", .file, nil, nil, nil),
            ("https://GitHub.com/acme/c.git", .https, "github.com", nil, nil),
            ("http://git.local:8080/c.git", .http, "git.local", 8080, nil),
            ("ssh://git@git.example.com:2222/acme/c.git", .ssh, "git.example.com", 2222, "git"),
            ("ssh://[::1]/c.git", .ssh, "::1", nil, nil),
            ("git@github.com:acme/c.git", .ssh, "github.com", nil, "git"),
            ("github.com:acme/c.git", .ssh, "github.com", nil, nil),
            ("git://example.com/c.git", .git, "example.com", nil, nil),
        ] as [(String, RemoteLocation.Transport, String?, Int?, String?)])
    func parses(url: String, transport: RemoteLocation.Transport, host: String?, port: Int?, user: String?) throws {
        let location = try #require(RemoteLocation(url))
        #expect(location.transport == transport)
        #expect(location.host == host)
        #expect(location.port == port)
        #expect(location.user == user)
    }

    @Test(arguments: ["ftp://example.com/c.git", "https:///nohost", "s3://bucket/x"])
    func refusesUnsupported(url: String) {
        #expect(RemoteLocation(url) == nil)
    }
}
