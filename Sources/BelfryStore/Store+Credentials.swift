import Foundation
internal import GRDB

extension Store {
    /// The secret kept for app `name`, or `nil` if none was generated or stored.
    public func credential(forApp name: String) async throws -> String? {
        try await writer.read { db in try CredentialRecord.fetchOne(db, key: name)?.secret }
    }

    /// Keeps `secret` for app `name`, replacing any previous one.
    public func storeCredential(app name: String, secret: String) async throws {
        let record = CredentialRecord(app: name, secret: secret, createdAt: now().timeIntervalSince1970)
        try await writer.write { db in try record.save(db) }
    }

    /// Forgets the secret kept for app `name` (the app was deleted): a new app of that name
    /// gets a new one.
    public func deleteCredential(app name: String) async throws {
        _ = try await writer.write { db in try CredentialRecord.deleteOne(db, key: name) }
    }

    /// The secret kept for app `name`, generated (32 hex characters) and stored on first use.
    ///
    /// Read and insert share one transaction, and writes are serialized, so concurrent calls for
    /// the same app all return the same secret.
    public func generateIfMissing(app name: String) async throws -> String {
        let createdAt = now().timeIntervalSince1970
        return try await writer.write { db in
            if let existing = try CredentialRecord.fetchOne(db, key: name) { return existing.secret }
            let record = CredentialRecord(app: name, secret: Self.randomHex(bytes: 16), createdAt: createdAt)
            try record.insert(db)
            return record.secret
        }
    }

    /// `bytes` bytes from `SystemRandomNumberGenerator`, as lowercase hex (twice as many characters).
    public static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
