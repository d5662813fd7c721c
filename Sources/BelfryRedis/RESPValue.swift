/// A value of the Redis serialization protocol, RESP2 and the RESP3 types a server may send.
///
/// Bulk strings are bytes: channel names and payloads are not necessarily UTF-8.
public indirect enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    /// nil: RESP2's null bulk string (`$-1`).
    case bulkString([UInt8]?)
    /// nil: RESP2's null array (`*-1`).
    case array([RESPValue]?)
    // RESP3
    case null
    case boolean(Bool)
    case double(Double)
    case bigNumber(String)
    case map([(RESPValue, RESPValue)])
    case set([RESPValue])
    /// Out-of-band data (pub/sub messages under RESP3).
    case push([RESPValue])

    /// A bulk string of UTF-8 text.
    public static func bulk(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

    /// The text of a simple or bulk string (bulk decoded as UTF-8, invalid bytes replaced).
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        case .bigNumber(let text): text
        default: nil
        }
    }

    /// The bytes of a bulk or simple string.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes?): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The elements of an array, set or push.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let items?), .set(let items), .push(let items): items
        default: nil
        }
    }

    public var isNull: Bool {
        switch self {
        case .null, .bulkString(nil), .array(nil): true
        default: false
        }
    }

    public static func == (lhs: RESPValue, rhs: RESPValue) -> Bool {
        switch (lhs, rhs) {
        case (.simpleString(let a), .simpleString(let b)), (.error(let a), .error(let b)),
            (.bigNumber(let a), .bigNumber(let b)):
            a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.bulkString(let a), .bulkString(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.null, .null): true
        case (.boolean(let a), .boolean(let b)): a == b
        case (.double(let a), .double(let b)): a == b || (a.isNaN && b.isNaN)
        case (.map(let a), .map(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.set(let a), .set(let b)), (.push(let a), .push(let b)): a == b
        default: false
        }
    }
}
