import CLibGit2

/// A commit's full object id as 40 lowercase hex digits (SHA-1 repositories, as libgit2 1.5).
public struct CommitID: Hashable, Sendable, CustomStringConvertible {
    /// The 40 hex digits.
    public let hex: String

    /// An id from 40 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        self.hex = hex.lowercased()
    }

    /// The id of a libgit2 oid.
    init(_ oid: git_oid) {
        var oid = oid
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, buffer.count, &oid)
        hex = String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The 7-digit abbreviation shown in logs and status (`git log --oneline` style).
    public var short: String { String(hex.prefix(7)) }

    /// The libgit2 form.
    var oid: git_oid {
        var oid = git_oid()
        _ = git_oid_fromstr(&oid, hex)
        return oid
    }

    /// The full hex id.
    public var description: String { hex }
}

extension CommitID: Codable {
    /// Decodes the 40 hex digits.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = CommitID(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a commit id: \(text)")
        }
        self = id
    }

    /// Encodes the 40 hex digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

extension UInt8 {
    /// ASCII 0-9, a-f, A-F.
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
