import CLibGit2
import Testing

@testable import BelfryGit

@Suite struct CredentialTests {
    private let https = RemoteLocation("https://github.com/acme/config.git")!
    private let ssh = RemoteLocation("ssh://git@git.example.com:2222/acme/config.git")!
    private var userpass: UInt32 { GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue }
    private var sshKey: UInt32 { GIT_CREDENTIAL_SSH_KEY.rawValue }
    private var username: UInt32 { GIT_CREDENTIAL_USERNAME.rawValue }

    @Test func tokenBecomesUserpassWithTheTokenUser() {
        let context = CallbackContext(credentials: .token("ghp_secret"), location: https)
        let credential = context.credential(allowed: userpass, usernameFromURL: nil)
        #expect(credential?.type == userpass)
        #expect(credential?.username == "x-access-token")
        #expect(context.refusal == nil)
    }

    @Test func configuredUserIsUsed() {
        let context = CallbackContext(credentials: .token("glpat", username: "oauth2"), location: https)
        #expect(context.credential(allowed: userpass, usernameFromURL: nil)?.username == "oauth2")
    }

    @Test func aSecondRequestIsRefusedSoTheCallbackCannotLoop() {
        let context = CallbackContext(credentials: .token("ghp_secret"), location: https)
        #expect(context.credential(allowed: userpass, usernameFromURL: nil) != nil)
        #expect(context.credential(allowed: userpass, usernameFromURL: nil) == nil)
        #expect(context.refusal?.contains("rejected") == true)
        #expect(context.refusal?.contains("ghp_secret") == false)
    }

    @Test func noCredentialsOrTheWrongKindAreRefused() {
        let none = CallbackContext(credentials: .none, location: https)
        #expect(none.credential(allowed: userpass, usernameFromURL: nil) == nil)
        #expect(none.refusal != nil)
        let token = CallbackContext(credentials: .token("t"), location: ssh)
        #expect(token.credential(allowed: sshKey, usernameFromURL: "git") == nil)
        #expect(token.refusal?.contains("token") == true)
    }

    @Test func sshAsksForTheUserThenTheKey() {
        let key = SSHKeyCredentials(privateKeyPath: "/keys/id_ed25519", username: "deploy", knownHosts: KnownHosts(""))
        let context = CallbackContext(credentials: .sshKey(key), location: ssh)
        let user = context.credential(allowed: username, usernameFromURL: nil)
        #expect(user?.type == username && user?.username == "deploy")
        let fromURL = context.credential(allowed: sshKey, usernameFromURL: "git")
        #expect(fromURL?.type == sshKey && fromURL?.username == "git")
        #expect(context.credential(allowed: sshKey, usernameFromURL: "git") == nil)
    }

    @Test func hostKeysAreCheckedAgainstTheConfiguredKnownHostsWithThePort() {
        let hosts = KnownHosts("[git.example.com]:2222 ssh-ed25519 \(KnownHostsTests.trustedBase64)")
        let key = SSHKeyCredentials(privateKeyPath: "/k", knownHosts: hosts)
        let context = CallbackContext(credentials: .sshKey(key), location: ssh)
        #expect(
            context.refusalForHostKey(host: "git.example.com", key: KnownHostsTests.trusted, fingerprint: nil) == nil)
        let refusal = context.refusalForHostKey(
            host: "git.example.com", key: KnownHostsTests.other, fingerprint: "SHA256:x")
        #expect(refusal == "host key of [git.example.com]:2222 (ssh-ed25519 SHA256:x) does not match known_hosts")
        let plain = CallbackContext(credentials: .sshKey(key), location: RemoteLocation("git@git.example.com:a/b")!)
        #expect(plain.refusalForHostKey(host: "git.example.com", key: KnownHostsTests.trusted, fingerprint: nil) != nil)
        #expect(plain.refusal?.contains("not in known_hosts") == true)
    }
}
