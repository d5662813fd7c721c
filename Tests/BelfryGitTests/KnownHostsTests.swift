import Foundation
import Testing

@testable import BelfryGit

@Suite struct KnownHostsTests {
    static let trustedBase64 = "AAAAC3NzaC1lZDI1NTE5AAAAIM1jG9H4NRVRjjNZhujmHZvZ7HAT99I5tDIZFIGUrX3+"
    static let otherBase64 = "AAAAC3NzaC1lZDI1NTE5AAAAIJgzk9x50iVHta1DLV2btHXUC2gMpUElfjYXA1p/xY/e"
    static let trusted = [UInt8](Data(base64Encoded: trustedBase64)!)
    static let other = [UInt8](Data(base64Encoded: otherBase64)!)

    @Test func parsesLinesAndSkipsBadOnes() {
        let hosts = KnownHosts(
            """
            # comment

            git.example.com,10.0.0.5 ssh-ed25519 \(Self.trustedBase64) deploy key
            @revoked old.example.com ssh-ed25519 \(Self.otherBase64)
            broken.example.com ssh-ed25519 not-base64!
            mismatch.example.com ssh-rsa \(Self.trustedBase64)
            @bogus x ssh-ed25519 \(Self.trustedBase64)
            short ssh-ed25519
            """)
        #expect(hosts.entries.count == 2)
        #expect(hosts.entries[0].hosts == .patterns(["git.example.com", "10.0.0.5"]))
        #expect(hosts.entries[0].keyType == "ssh-ed25519")
        #expect(hosts.entries[0].key == Self.trusted)
        #expect(hosts.entries[0].line == 3)
        #expect(hosts.entries[1].marker == .revoked)
        #expect(hosts.skippedLines == [5, 6, 7, 8])
    }

    @Test func verdicts() {
        let hosts = KnownHosts(
            """
            git.example.com ssh-ed25519 \(Self.trustedBase64)
            [git.example.com]:2222 ssh-ed25519 \(Self.otherBase64)
            *.corp.example,!evil.corp.example ssh-ed25519 \(Self.trustedBase64)
            @revoked * ssh-ed25519 \(Self.otherBase64)
            @cert-authority ca.example.com ssh-ed25519 \(Self.trustedBase64)
            """)
        #expect(hosts.verify(host: "git.example.com", key: Self.trusted) == .trusted)
        #expect(hosts.verify(host: "GIT.example.com", port: 22, key: Self.trusted) == .trusted)
        #expect(hosts.verify(host: "git.example.com", key: Self.other) == .revoked)
        #expect(hosts.verify(host: "git.example.com", port: 2222, key: Self.trusted) == .keyMismatch)
        #expect(hosts.verify(host: "repo.corp.example", key: Self.trusted) == .trusted)
        #expect(hosts.verify(host: "evil.corp.example", key: Self.trusted) == .unknownHost)
        #expect(hosts.verify(host: "ca.example.com", key: Self.trusted) == .unknownHost)
        #expect(hosts.verify(host: "unknown.example.org", key: Self.trusted) == .unknownHost)
    }

    @Test func hashedHostNamesFromSSHKeygen() {
        // `ssh-keygen -H` output for "git.example.com" and "[git.example.com]:2222".
        let hosts = KnownHosts(
            """
            |1|j7AXzV8C4AXi8yD5USl7x1/spRU=|zmdON2bhjjMEtP4eJcMOVGL/fZo= ssh-ed25519 \(Self.trustedBase64)
            |1|SUMxAtg57u1Vmnim+SWlYVHVTzc=|IgQB8TBWzwgQ/xT0y/GCXZVtUa0= ssh-ed25519 \(Self.otherBase64)
            """)
        #expect(hosts.skippedLines.isEmpty)
        #expect(hosts.verify(host: "git.example.com", key: Self.trusted) == .trusted)
        #expect(hosts.verify(host: "git.example.com", port: 2222, key: Self.other) == .trusted)
        #expect(hosts.verify(host: "git.example.com", key: Self.other) == .keyMismatch)
        #expect(hosts.verify(host: "other.example.com", key: Self.trusted) == .unknownHost)
    }

    @Test(arguments: [
        ("*", "anything", true), ("git.*.com", "git.example.com", true), ("h?st", "host", true),
        ("h?st", "hoost", false), ("*.example.com", "example.com", false), ("a*b*c", "aXbYbZc", true),
        ("[git.example.com]:2222", "[git.example.com]:2222", true),
    ])
    func wildcards(pattern: String, name: String, matches: Bool) {
        #expect(KnownHosts.wildcard(Array(pattern.utf8), Array(name.utf8)) == matches)
    }

    @Test func blobTypeReadsTheKeyName() {
        #expect(KnownHosts.blobType(Self.trusted) == "ssh-ed25519")
        #expect(KnownHosts.blobType([0, 0, 0, 9, 1]) == nil)
    }
}
