import CLibGit2

/// An owned `git_credential`, freed in deinit unless handed to libgit2 with `release()`.
final class Credential {
    private var pointer: UnsafeMutablePointer<git_credential>?

    private init(_ pointer: UnsafeMutablePointer<git_credential>) {
        self.pointer = pointer
    }

    deinit {
        if let pointer { git_credential_free(pointer) }
    }

    /// The `GIT_CREDENTIAL_*` type (e.g. `GIT_CREDENTIAL_USERPASS_PLAINTEXT`).
    var type: UInt32 { pointer?.pointee.credtype.rawValue ?? 0 }

    /// The user name the credential carries, if any.
    var username: String? {
        guard let pointer, let name = git_credential_get_username(pointer) else { return nil }
        return String(cString: name)
    }

    /// Gives the credential to libgit2, which frees it; this object no longer does.
    func release() -> UnsafeMutablePointer<git_credential>? {
        defer { pointer = nil }
        return pointer
    }

    /// A username/password credential (HTTPS token auth).
    static func userpass(_ username: String, _ password: String) -> Credential? {
        make { git_credential_userpass_plaintext_new(&$0, username, password) }
    }

    /// A username-only credential (SSH asks for the user before the key when the URL has none).
    static func username(_ username: String) -> Credential? {
        make { git_credential_username_new(&$0, username) }
    }

    /// An SSH key-file credential.
    static func sshKey(_ username: String, _ key: SSHKeyCredentials) -> Credential? {
        make { git_credential_ssh_key_new(&$0, username, key.publicKeyPath, key.privateKeyPath, key.passphrase) }
    }

    private static func make(_ create: (inout UnsafeMutablePointer<git_credential>?) -> Int32) -> Credential? {
        _ = LibGit2.ready
        var out: UnsafeMutablePointer<git_credential>?
        guard create(&out) >= 0, let out else { return nil }
        return Credential(out)
    }
}
