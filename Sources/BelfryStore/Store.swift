import Foundation
internal import GRDB

/// The reconciler's persistence: one SQLite database in `--data-dir` holding the last applied
/// configuration, generated credentials, the reconcile history and a few `meta` values.
///
/// The store is the single owner of its database connection for the life of the process (GRDB
/// `Concurrency.md` rule 1): open it once at startup and hand the same instance to every user.
/// Every method is one explicit transaction; the async ones never block a cooperative thread.
///
/// The database holds app secrets and generated credentials in clear, because a restarted server
/// must serve before the source answers. A new file is created readable by its owner only; nothing
/// here logs, and callers must never log, the values it returns.
///
/// ```swift
/// let store = try Store.open(path: dataDir + "/" + Store.fileName)
/// if let applied = try await store.lastApplied() { serve(applied.snapshot) }
/// ```
public final class Store: Sendable {
    /// The database file name inside `--data-dir`.
    public static let fileName = "belfry.sqlite"
    /// How many reconcile passes are kept unless `open` is told otherwise.
    public static let defaultHistoryLimit = 500

    /// The newest passes kept; older ones are pruned in the transaction that appends a pass.
    public let historyLimit: Int
    let writer: any DatabaseWriter
    let now: @Sendable () -> Date

    private init(writer: any DatabaseWriter, historyLimit: Int, now: @escaping @Sendable () -> Date) {
        precondition(historyLimit > 0, "historyLimit must be positive")
        self.writer = writer
        self.historyLimit = historyLimit
        self.now = now
    }

    /// Opens (creating if missing, with its directory) the database at `path` and migrates it.
    ///
    /// - Parameters:
    ///   - historyLimit: the newest reconcile passes to keep.
    ///   - now: the clock stamped on credentials and `meta` values; tests pass a fixed one.
    /// - Throws: `StoreError` when the file cannot be opened or was written by a newer belfry.
    public static func open(
        path: String, historyLimit: Int = defaultHistoryLimit,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> Store {
        let pool: DatabasePool
        do {
            try createPrivateFile(at: path)
            var configuration = Configuration()
            configuration.label = "belfry.store"
            configuration.busyMode = .timeout(5)
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        try migrate(pool, path: path)
        return Store(writer: pool, historyLimit: historyLimit, now: now)
    }

    /// Opens a migrated database that lives in memory until the store is released (tests).
    public static func openInMemory(
        historyLimit: Int = defaultHistoryLimit, now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> Store {
        let queue = try DatabaseQueue()
        try migrate(queue, path: ":memory:")
        return Store(writer: queue, historyLimit: historyLimit, now: now)
    }

    /// Closes the connection; later calls throw. Releasing the store closes it too.
    public func close() throws {
        try writer.close()
    }

    /// The identifiers of the migrations applied to this database, in order.
    public func appliedMigrations() async throws -> [String] {
        try await writer.read { db in try Self.migrator.appliedMigrations(db) }
    }

    private static func migrate(_ writer: any DatabaseWriter, path: String) throws {
        let migrator = Self.migrator
        let unknown: [String]
        do {
            let known = Set(migrator.migrations)
            unknown = try writer.read { db in try migrator.appliedIdentifiers(db).subtracting(known).sorted() }
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        guard unknown.isEmpty else { throw StoreError.newerSchema(path: path, unknownMigrations: unknown) }
        do {
            try migrator.migrate(writer)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// Creates the parent directory and an empty file readable by its owner only, so the secrets
    /// the database will hold are never world-readable (SQLite gives -wal/-shm the same mode).
    private static func createPrivateFile(at path: String) throws {
        let files = FileManager.default
        guard !files.fileExists(atPath: path) else { return }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !files.fileExists(atPath: directory) {
            try files.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        guard files.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
