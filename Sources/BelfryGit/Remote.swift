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

    /// Fetches `refspecs` only (no tags, no FETCH_HEAD), with `context` answering the credential
    /// and host-key callbacks. A refspec whose source the remote lacks is skipped. Returns
    /// libgit2's code; on failure `git_error_last()` is still this call's (nothing else touches
    /// libgit2 in between).
    func fetch(_ refspecs: [String], context: CallbackContext) -> Int32 {
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        options.proxy_opts.type = GIT_PROXY_AUTO
        Self.install(context, in: &options.callbacks)
        return withExtendedLifetime(context) {
            Self.withStrings(refspecs) { array in git_remote_fetch(pointer, &array, &options, "belfry: fetch") }
        }
    }

    /// Pushes `refspec` (never forced unless it starts with `+`), with the same credential and
    /// host-key callbacks as a fetch; references the remote refused are recorded in `context`
    /// (`rejections`), since libgit2 still returns 0 for them.
    func push(_ refspec: String, context: CallbackContext) -> Int32 {
        var options = git_push_options()
        git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION))
        options.proxy_opts.type = GIT_PROXY_AUTO
        Self.install(context, in: &options.callbacks)
        options.callbacks.push_update_reference = { reference, status, payload in
            guard let payload else { return GIT_EUSER.rawValue }
            guard let reference, let status else { return 0 }
            let context = Unmanaged<CallbackContext>.fromOpaque(payload).takeUnretainedValue()
            context.recordRejection(reference: String(cString: reference), reason: String(cString: status))
            return 0
        }
        options.callbacks.sideband_progress = { text, length, payload in
            guard let text, let payload, length > 0 else { return 0 }
            let context = Unmanaged<CallbackContext>.fromOpaque(payload).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: text, count: Int(length))
            context.recordRemoteMessage(String(decoding: bytes, as: UTF8.self))
            return 0
        }
        return withExtendedLifetime(context) {
            Self.withStrings([refspec]) { array in git_remote_push(pointer, &array, &options) }
        }
    }

    /// `strings` as a `git_strarray` for the duration of `body`.
    private static func withStrings(_ strings: [String], _ body: (inout git_strarray) -> Int32) -> Int32 {
        var owned = strings.map { strdup($0) }
        defer { owned.forEach { free($0) } }
        return owned.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return body(&array)
        }
    }

    /// Points `callbacks` at `context`: credentials, and the SSH host-key check against the
    /// configured known_hosts (TLS certificates are left to libgit2's own verification).
    private static func install(_ context: CallbackContext, in callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(context).toOpaque()
        callbacks.credentials = { out, _, usernameFromURL, allowed, payload in
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
            callbacks.certificate_check = { cert, _, host, payload in
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
