import CLibGit2
import Foundation

/// The process-wide libgit2 initialisation, done once on first use and never undone (libgit2
/// keeps global state for TLS, SSH and its object caches for the life of the process).
enum LibGit2 {
    /// libgit2's init count after the one call; touch it before any other libgit2 function.
    static let ready: Int32 = git_libgit2_init()

    /// The message and class of the last libgit2 error on this thread. libgit2 keeps it in
    /// thread-local storage, so read it right after the failing call, before any `await`.
    static func lastError() -> (message: String, errorClass: Int32)? {
        guard let error = git_error_last(), let text = error.pointee.message else { return nil }
        let message = String(cString: text).trimmingCharacters(in: [" ", "\n", "\r", "\t"])
        return (message, error.pointee.klass)
    }
}
