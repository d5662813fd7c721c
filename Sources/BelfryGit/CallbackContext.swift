import CLibGit2

/// The state libgit2's credential, certificate and push-status callbacks see through `payload`.
/// Lives for one fetch or push, on that thread only.
final class CallbackContext {
    /// What the caller configured.
    let credentials: GitCredentials
    /// The parsed URL (host and port for known_hosts).
    let location: RemoteLocation
    /// Key or password credentials handed out so far; a second request means the first was
    /// rejected, and is refused so the callback cannot loop.
    private(set) var attempts = 0
    /// Why we refused credentials or a host key; the fetch reports this as `.auth`.
    private(set) var refusal: String?

    /// References the remote refused in a push, with its reason (`non-fast-forward`, a hook's
    /// `pre-receive hook declined`, a protected branch).
    private(set) var rejections: [(reference: String, reason: String)] = []

    /// What the remote printed on the side band (`remote: …` lines: hook output).
    private(set) var remoteMessages = ""

    /// A context for one fetch or push.
    init(credentials: GitCredentials, location: RemoteLocation) {
        self.credentials = credentials
        self.location = location
    }

    /// The credential for a libgit2 request, or nil after recording why not.
    /// - Parameters:
    ///   - allowed: the `GIT_CREDENTIAL_*` bits the server accepts.
    ///   - usernameFromURL: the user in the URL, which an SSH credential must repeat.
    func credential(allowed: UInt32, usernameFromURL: String?) -> Credential? {
        let wantsUsername = allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0
        switch credentials {
        case .none:
            return refuse("the remote asks for credentials but none are configured")
        case .token(let token, let username):
            guard allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else {
                return refuse("the remote does not accept a token (username/password) here")
            }
            return handOut { Credential.userpass(username, token) }
        case .sshKey(let key):
            let user = usernameFromURL ?? key.username ?? "git"
            if wantsUsername { return Credential.username(user) }
            guard allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else {
                return refuse("the remote does not accept SSH public-key authentication")
            }
            return handOut { Credential.sshKey(user, key) }
        }
    }

    /// nil when the host key is trusted; otherwise the refusal, also recorded.
    func refusalForHostKey(host: String, key: [UInt8], fingerprint: String?) -> String? {
        guard case .sshKey(let ssh) = credentials else { return nil }
        let port = location.port ?? 22
        let shown = port == 22 ? host : "[\(host)]:\(port)"
        let keyText = (KnownHosts.blobType(key) ?? "unknown key type") + (fingerprint.map { " " + $0 } ?? "")
        switch ssh.knownHosts.verify(host: host, port: port, key: key) {
        case .trusted:
            return nil
        case .unknownHost:
            refusal = "host \(shown) is not in known_hosts (it offered \(keyText))"
        case .keyMismatch:
            refusal = "host key of \(shown) (\(keyText)) does not match known_hosts"
        case .revoked:
            refusal = "host key of \(shown) (\(keyText)) is revoked in known_hosts"
        }
        return refusal
    }

    /// Records a reference the remote did not update (push status callback).
    func recordRejection(reference: String, reason: String) {
        rejections.append((reference, reason))
    }

    /// Appends side-band text (progress callback).
    func recordRemoteMessage(_ text: String) {
        remoteMessages += text
    }

    private func handOut(_ make: () -> Credential?) -> Credential? {
        attempts += 1
        guard attempts == 1 else {
            return refuse("credentials were rejected (\(credentials))")
        }
        guard let credential = make() else {
            return refuse("cannot build credentials: \(LibGit2.lastError()?.message ?? "libgit2 error")")
        }
        return credential
    }

    private func refuse(_ reason: String) -> Credential? {
        refusal = reason
        return nil
    }
}
