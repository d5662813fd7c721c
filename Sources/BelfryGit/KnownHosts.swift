import Foundation

/// OpenSSH `known_hosts` entries (`[marker] hosts keytype base64key [comment]`), the only host
/// keys an SSH fetch accepts. Plain, wildcard, negated, `[host]:port` and hashed (`|1|salt|hash`)
/// host fields are understood; `@cert-authority` lines are kept but never match (certificates are
/// not checked), `@revoked` keys are refused.
///
/// ```swift
/// let hosts = KnownHosts("github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")
/// ```
public struct KnownHosts: Sendable, Equatable {
    /// One parsed line.
    public struct Entry: Sendable, Equatable {
        /// The line's `@` marker.
        public enum Marker: Sendable, Equatable {
            /// An ordinary line: the key is trusted for the hosts.
            case none
            /// `@revoked`: the key must never be accepted.
            case revoked
            /// `@cert-authority`: the key signs host certificates (not supported; never matches).
            case certAuthority
        }

        /// The host field.
        public enum Hosts: Sendable, Equatable {
            /// Comma-separated patterns (`*`, `?`, a leading `!` negates, `[host]:port`).
            case patterns([String])
            /// `|1|salt|hash`: HMAC-SHA1 of the host name keyed with the salt.
            case hashed(salt: [UInt8], hash: [UInt8])
        }

        /// The marker, usually `.none`.
        public let marker: Marker
        /// Which hosts the line is for.
        public let hosts: Hosts
        /// The key type named on the line (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …).
        public let keyType: String
        /// The public key blob (the base64 field decoded), as an SSH server sends it.
        public let key: [UInt8]
        /// The 1-based line number, for messages.
        public let line: Int
    }

    /// The usable entries, in file order.
    public let entries: [Entry]
    /// 1-based numbers of non-blank, non-comment lines that could not be parsed (and are ignored,
    /// as OpenSSH does); worth a warning.
    public let skippedLines: [Int]

    /// Parses the text of a known_hosts file.
    public init(_ text: String) {
        var entries: [Entry] = []
        var skipped: [Int] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let entry = Self.entry(line, number: index + 1) {
                entries.append(entry)
            } else {
                skipped.append(index + 1)
            }
        }
        self.entries = entries
        self.skippedLines = skipped
    }

    private static func entry(_ line: String, number: Int) -> Entry? {
        var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var marker = Entry.Marker.none
        if let first = fields.first, first.hasPrefix("@") {
            switch first {
            case "@revoked": marker = .revoked
            case "@cert-authority": marker = .certAuthority
            default: return nil
            }
            fields.removeFirst()
        }
        guard fields.count >= 3, let hosts = Self.hosts(fields[0]),
            let data = Data(base64Encoded: fields[2]), Self.blobType([UInt8](data)) == fields[1]
        else { return nil }
        return Entry(marker: marker, hosts: hosts, keyType: fields[1], key: [UInt8](data), line: number)
    }

    private static func hosts(_ field: String) -> Entry.Hosts? {
        guard field.hasPrefix("|") else {
            let patterns = field.split(separator: ",").map { $0.lowercased() }
            return patterns.isEmpty ? nil : .patterns(patterns)
        }
        let parts = field.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1] == "1", let salt = Data(base64Encoded: String(parts[2])),
            let hash = Data(base64Encoded: String(parts[3])), hash.count == 20
        else { return nil }
        return .hashed(salt: [UInt8](salt), hash: [UInt8](hash))
    }

    /// The key type string a public key blob starts with (`uint32 length` + name).
    static func blobType(_ blob: [UInt8]) -> String? {
        guard blob.count >= 4 else { return nil }
        let length = blob[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, blob.count >= 4 + length else { return nil }
        return String(bytes: blob[4..<(4 + length)], encoding: .utf8)
    }
}
