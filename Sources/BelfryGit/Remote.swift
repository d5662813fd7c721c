import CLibGit2
import Foundation

/// The mirror's `origin` remote (`git_remote`), freed in deinit; keeps its repository alive.
final class Remote {
    /// The libgit2 handle; valid for the lifetime of this object.
    let pointer: OpaquePointer
    /// The repository the remote belongs to.
    let repository: Repository

    /// Looks up `origin`, creating it (or pointing it at `url`) as needed.
    init(origin url: String, branch: String, in repository: Repository) throws(GitError) {
        var out: OpaquePointer?
        var code = git_remote_lookup(&out, repository.pointer, "origin")
        if code == GIT_ENOTFOUND.rawValue {
            let refspec = "+refs/heads/\(branch):refs/remotes/origin/\(branch)"
            code = git_remote_create_with_fetchspec(&out, repository.pointer, "origin", url, refspec)
        } else if code >= 0, let existing = out, git_remote_url(existing).map({ String(cString: $0) }) != url {
            git_remote_free(existing)
            out = nil
            code = git_remote_set_url(repository.pointer, "origin", url)
            if code >= 0 { code = git_remote_lookup(&out, repository.pointer, "origin") }
        }
        guard code >= 0, let out else { throw GitError.libgit2(.open, code: code) }
        self.pointer = out
        self.repository = repository
    }

    deinit { git_remote_free(pointer) }

    /// Fetches `refspec` only (no tags, no FETCH_HEAD), with `context` answering the credential
    /// and host-key callbacks. Returns libgit2's code; on failure `git_error_last()` is still
    /// this call's (nothing else touches libgit2 in between).
    func fetch(_ refspec: String, context: CallbackContext) -> Int32 {
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        options.proxy_opts.type = GIT_PROXY_AUTO
        options.callbacks.payload = Unmanaged.passUnretained(context).toOpaque()
        options.callbacks.credentials = { out, _, usernameFromURL, allowed, payload in
            guard let out, let payload else { return GIT_EUSER.rawValue }
            let context = Unmanaged<CallbackContext>.fromOpaque(payload).takeUnretainedValue()
            let user = usernameFromURL.map { String(cString: $0) }
            guard let credential = context.credential(allowed: allowed, usernameFromURL: user) else {
                git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), context.refusal ?? "credentials refused")
                return GIT_EAUTH.rawValue
            }
            out.pointee = credential.release()
            return 0
        }
        if case .sshKey = context.credentials {
            options.callbacks.certificate_check = { cert, _, host, payload in
                guard let cert, let payload, let host else { return GIT_EUSER.rawValue }
                guard cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else { return GIT_PASSTHROUGH.rawValue }
                let context = Unmanaged<CallbackContext>.fromOpaque(payload).takeUnretainedValue()
                let hostkey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
                guard hostkey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostkey.hostkey else {
                    git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), "the SSH server's raw host key is unavailable")
                    return GIT_ECERTIFICATE.rawValue
                }
                let key = [UInt8](UnsafeRawBufferPointer(start: raw, count: hostkey.hostkey_len))
                var fingerprint: String?
                if hostkey.type.rawValue & GIT_CERT_SSH_SHA256.rawValue != 0 {
                    let digest = withUnsafeBytes(of: hostkey.hash_sha256) { Data($0) }
                    fingerprint = "SHA256:" + digest.base64EncodedString().replacingOccurrences(of: "=", with: "")
                }
                let refusal = context.refusalForHostKey(host: String(cString: host), key: key, fingerprint: fingerprint)
                guard let refusal else { return 0 }
                git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), refusal)
                return GIT_ECERTIFICATE.rawValue
            }
        }
        let reflog = "belfry: fetch"
        return withExtendedLifetime(context) {
            refspec.withCString { spec in
                var strings: [UnsafeMutablePointer<CChar>?] = [UnsafeMutablePointer(mutating: spec)]
                return strings.withUnsafeMutableBufferPointer { buffer in
                    var array = git_strarray(strings: buffer.baseAddress, count: 1)
                    return git_remote_fetch(pointer, &array, &options, reflog)
                }
            }
        }
    }

    /// The id the remote advertised for `reference` in the last fetch, nil if it has none.
    func advertised(_ reference: String) -> CommitID? {
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        guard git_remote_ls(&heads, &count, pointer) >= 0, let heads else { return nil }
        for index in 0..<count {
            guard let head = heads[index]?.pointee, let name = head.name else { continue }
            if String(cString: name) == reference { return CommitID(head.oid) }
        }
        return nil
    }
}
