/// How to authenticate to a remote. The caller resolves secrets (from env or a file) first;
/// `description` never shows them.
public enum GitCredentials: Sendable, Equatable, CustomStringConvertible {
    /// No credentials: local paths, `file://`, public HTTPS.
    case none
    /// HTTPS basic auth with a token as the password. GitHub wants the user `x-access-token`,
    /// GitLab `oauth2`; other hosts take the account name.
    case token(String, username: String = "x-access-token")
    /// SSH public-key auth with a key file, and the host keys to trust.
    case sshKey(SSHKeyCredentials)

    /// The kind and user, with secrets redacted.
    public var description: String {
        switch self {
        case .none: "no credentials"
        case .token(_, let username): "token for \(username)"
        case .sshKey(let key): "ssh key \(key.privateKeyPath)"
        }
    }
}

/// An SSH private key file and the `known_hosts` entries that decide which servers to trust.
public struct SSHKeyCredentials: Sendable, Equatable {
    /// The private key file (OpenSSH or PEM format).
    public let privateKeyPath: String
    /// The public key file; nil lets libssh2 derive it from the private key.
    public let publicKeyPath: String?
    /// The key's passphrase, if it has one.
    public let passphrase: String?
    /// The SSH user; nil uses the URL's user, then `git`.
    public let username: String?
    /// The only host keys accepted; `~/.ssh/known_hosts` is not consulted.
    public let knownHosts: KnownHosts

    /// SSH credentials; see each property.
    public init(
        privateKeyPath: String, publicKeyPath: String? = nil, passphrase: String? = nil, username: String? = nil,
        knownHosts: KnownHosts
    ) {
        self.privateKeyPath = privateKeyPath
        self.publicKeyPath = publicKeyPath
        self.passphrase = passphrase
        self.username = username
        self.knownHosts = knownHosts
    }
}
