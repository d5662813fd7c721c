import BelfryStore
import Foundation
import Logging
import Synchronization

/// The data directory's protections: its mode, and the identity that ties it to its database.
enum DataDirectory {
    /// Makes the directory (and the git mirror below it) private to this user: 0700, whatever
    /// an older version or an operator left.
    static func secure(_ directory: String, logger: Logger) throws {
        for path in [directory, directory + "/git"] {
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if info.st_mode & 0o077 != 0 {
                guard chmod(path, 0o700) == 0 else {
                    throw CommandFailure("--data-dir: cannot make \(path) private (chmod 0700): errno \(errno)")
                }
                logger.notice("made the data directory private (0700)", metadata: ["path": "\(path)"])
            }
        }
    }

    /// `DATA_DIR/store-id` holds the id of the database it belongs to. A database that is new while
    /// the file exists was deleted or replaced: starting would invent new secrets for apps whose
    /// secret Belfry generated (and a new admin token), breaking every client silently, so start
    /// is refused unless `regenerate` says that is wanted.
    static func checkIdentity(store: Store, directory: String, regenerate: Bool, logger: Logger) async throws {
        let marker = directory + "/store-id"
        let recorded = (try? String(contentsOfFile: marker, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let current = try? await store.metaValue(forKey: "storeId")
        if let recorded, !recorded.isEmpty, recorded != current {
            guard regenerate else {
                throw CommandFailure(
                    "the database \(directory)/\(Store.fileName) was deleted or replaced (it is not store \(recorded)): "
                        + "apps with generated secrets and the admin token would get new ones. Restore the database, "
                        + "or start with --regenerate-credentials to accept new credentials.")
            }
            logger.warning(
                "the database was replaced; generated credentials are regenerated (--regenerate-credentials)",
                metadata: ["expected_store": "\(recorded)"])
        }
        let id = current ?? Store.randomHex(bytes: 16)
        if current == nil {
            do {
                try await store.setMetaValue(id, forKey: "storeId")
            } catch {
                throw CommandFailure("cannot write to the database in \(directory): \(error)")
            }
        }
        if recorded != id {
            do {
                try PrivateFile.replace(marker, with: id + "\n")
            } catch {
                throw CommandFailure("cannot write \(marker): \(error)")
            }
        }
    }
}

/// Files that may hold secrets, created with their final mode (0600) in one `open(2)`.
enum PrivateFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates `path` with `contents` unless it exists; returns whether it was created.
    static func createIfMissing(_ path: String, contents: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw Failure(description: "cannot create \(path): errno \(errno)")
        }
        try write(fd, contents, path: path)
        return true
    }

    /// Replaces `path` atomically: a new 0600 file beside it, synced, then renamed over it.
    static func replace(_ path: String, with contents: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): errno \(errno)") }
        do {
            try write(fd, contents, path: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot replace \(path): errno \(errno)")
        }
    }

    private static func write(_ fd: Int32, _ contents: String, path: String) throws {
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw Failure(description: "cannot write \(path): errno \(errno)")
        }
    }
}

/// Notices when the database file is deleted or replaced under the running server (its path no
/// longer names the file that was opened): the server keeps its open file, but a restart would
/// not find what it wrote.
final class DatabaseFileWatch: Sendable {
    private let path: String
    private let identity: (UInt64, UInt64)?
    private let reported = Mutex(false)
    private let logger: Logger

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
        identity = Self.identity(of: path)
    }

    private static func identity(of path: String) -> (UInt64, UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Nil while the path still names the opened file.
    func problem() -> String? {
        guard let identity else { return nil }
        let now = Self.identity(of: path)
        guard now == nil || now! != identity else { return nil }
        let problem =
            now == nil
            ? "the database file \(path) was deleted; what is written now is lost at restart"
            : "the database file \(path) was replaced by another file; what is written now is lost at restart"
        let first = reported.withLock { done in
            defer { done = true }
            return !done
        }
        if first { logger.error("database file changed under the server", metadata: ["problem": "\(problem)"]) }
        return problem
    }
}
