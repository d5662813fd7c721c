import Foundation
internal import GRDB

extension Store {
    /// Keys of the `meta` table used by the store itself.
    public enum MetaKey {
        /// The bearer token of the internal HTTP API.
        public static let apiToken = "apiToken"

        /// The last commit seen at the head of `branch`, for force-push detection.
        public static func head(branch: String) -> String { "head:\(branch)" }
    }

    /// The value stored under `key`, or `nil`.
    public func metaValue(forKey key: String) async throws -> String? {
        try await writer.read { db in try MetaRecord.fetchOne(db, key: key)?.value }
    }

    /// Stores `value` under `key`; `nil` removes it.
    public func setMetaValue(_ value: String?, forKey key: String) async throws {
        let updatedAt = now().timeIntervalSince1970
        try await writer.write { db in
            if let value {
                try MetaRecord(key: key, value: value, updatedAt: updatedAt).save(db)
            } else {
                _ = try MetaRecord.deleteOne(db, key: key)
            }
        }
    }

    /// The internal API token, made by `generate` and stored the first time (one transaction, so
    /// concurrent callers agree). A secret: never log it.
    public func token(orGenerate generate: @Sendable () -> String = { Store.randomHex(bytes: 32) }) async throws
        -> String
    {
        let updatedAt = now().timeIntervalSince1970
        return try await writer.write { db in
            if let existing = try MetaRecord.fetchOne(db, key: MetaKey.apiToken) { return existing.value }
            let record = MetaRecord(key: MetaKey.apiToken, value: generate(), updatedAt: updatedAt)
            try record.insert(db)
            return record.value
        }
    }

    /// The last commit recorded at the head of `branch`, or `nil` before the first fetch.
    public func lastSeenHead(branch: String) async throws -> String? {
        try await metaValue(forKey: MetaKey.head(branch: branch))
    }

    /// Records `commit` as the head of `branch`.
    public func recordHead(_ commit: String, branch: String) async throws {
        try await setMetaValue(commit, forKey: MetaKey.head(branch: branch))
    }
}
