import CLibGit2

extension GitError {
    /// The error for a libgit2 call that returned `code` < 0, with `git_error_last()` read now
    /// (it is thread-local: this must run synchronously right after the failing call).
    static func libgit2(_ operation: Operation, code: Int32, kind: Kind? = nil) -> GitError {
        let last = LibGit2.lastError()
        let message = last?.message ?? "libgit2 error \(code)"
        let resolved = kind ?? classify(operation, code: code, errorClass: last?.errorClass ?? 0)
        return GitError(operation, resolved, message: message, code: code)
    }

    /// Throws `libgit2(operation, code:)` when `code` is negative; returns it otherwise.
    @discardableResult
    static func check(_ code: Int32, _ operation: Operation) throws(GitError) -> Int32 {
        guard code < 0 else { return code }
        throw libgit2(operation, code: code)
    }

    /// The retry class of a libgit2 failure. During a fetch almost anything not local is the
    /// network's or the remote's fault, so the default there (and in a push) is `.unreachable`.
    static func classify(_ operation: Operation, code: Int32, errorClass: Int32) -> Kind {
        if code == GIT_EAUTH.rawValue || code == GIT_ECERTIFICATE.rawValue { return .auth }
        let damaged: Set<UInt32> = [
            GIT_ERROR_ODB.rawValue, GIT_ERROR_ZLIB.rawValue, GIT_ERROR_OBJECT.rawValue,
            GIT_ERROR_INDEXER.rawValue, GIT_ERROR_SHA.rawValue,
        ]
        if code == GIT_EMISMATCH.rawValue || damaged.contains(UInt32(bitPattern: errorClass)) { return .corrupt }
        if code == GIT_ELOCKED.rawValue || code == GIT_EOWNER.rawValue { return .other }
        return operation == .fetch || operation == .push ? .unreachable : .other
    }
}
