import BelfryServer

/// The bytes one node publishes on the bus for the others: `B1`, the sender's node id (32
/// lowercase hex characters), a kind letter, then the fields as netstrings (`<length>:<bytes>`), so any byte
/// may appear in a field. Never carries credentials. Pure; decoding rejects anything malformed
/// or larger than it says, without trapping.
public enum ClusterEnvelope {
    static let magic: [UInt8] = Array("B1".utf8)
    public static let nodeIDLength = 32

    /// What an envelope carries: a message for the other nodes' sockets, or a notice between
    /// nodes.
    public enum Content: Sendable, Equatable {
        case message(ClusterMessage)
        /// The sender has written all its shares again (after its link came back): presence
        /// rosters may have changed in ways no member event told, so each node sends its
        /// presence subscribers the roster as Redis has it now.
        case resynced
        /// The sender changed the configuration source (a management API write, a rotation):
        /// each node runs a reconcile pass now rather than at its next interval.
        case configurationChanged
    }

    public static func encode(from nodeID: String, _ content: Content) -> [UInt8] {
        switch content {
        case .message(let message): return encode(from: nodeID, message)
        case .resynced: return magic + Array(nodeID.utf8) + [UInt8(ascii: "r")]
        case .configurationChanged: return magic + Array(nodeID.utf8) + [UInt8(ascii: "p")]
        }
    }

    public static func encode(from nodeID: String, _ message: ClusterMessage) -> [UInt8] {
        var out = magic
        out.reserveCapacity(64 + nodeIDLength)
        out += Array(nodeID.utf8)
        switch message {
        case .channel(let appID, let channel, let except, let frame, let cache):
            out.append(UInt8(ascii: "c"))
            field(appID, into: &out)
            field(channel, into: &out)
            field(except ?? "", into: &out)
            field(cache == nil ? "0" : "1", into: &out)
            field(cache?.event ?? "", into: &out)
            field(cache?.data ?? "", into: &out)
            field(frame, into: &out)
        case .user(let appID, let userID, let except, let frame):
            out.append(UInt8(ascii: "u"))
            field(appID, into: &out)
            field(userID, into: &out)
            field(except ?? "", into: &out)
            field(frame, into: &out)
        case .terminate(let appID, let userID):
            out.append(UInt8(ascii: "t"))
            field(appID, into: &out)
            field(userID, into: &out)
        case .member(let appID, let channel, let userID, let info, let joined):
            out.append(UInt8(ascii: "m"))
            field(appID, into: &out)
            field(channel, into: &out)
            field(userID, into: &out)
            field(joined ? "1" : "0", into: &out)
            field(info ?? "", into: &out)
        }
        return out
    }

    /// Whether `bytes` is an envelope sent by `nodeID` (without decoding the rest).
    public static func isFrom(_ nodeID: String, _ bytes: [UInt8]) -> Bool {
        let id = nodeID.utf8
        return bytes.count > magic.count + nodeIDLength && bytes.starts(with: magic)
            && bytes[magic.count..<(magic.count + nodeIDLength)].elementsEqual(id)
    }

    /// The sender and the message; nil for anything that is not a well-formed envelope.
    public static func decode(_ bytes: [UInt8]) -> (nodeID: String, content: Content)? {
        let header = magic.count + nodeIDLength + 1
        guard bytes.count >= header, bytes.starts(with: magic) else { return nil }
        let idBytes = bytes[magic.count..<(magic.count + nodeIDLength)]
        // Node ids are lowercase hex (`ClusterNode.id`).
        guard idBytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        let nodeID = String(decoding: idBytes, as: UTF8.self)
        var reader = Reader(bytes: bytes, position: header)
        let message: ClusterMessage
        switch bytes[header - 1] {
        case UInt8(ascii: "c"):
            guard let appID = reader.string(), let channel = reader.string(), let except = reader.string(),
                let cached = reader.string(), let event = reader.string(), let data = reader.string(),
                let frame = reader.field(), cached == "1" || (cached == "0" && event.isEmpty && data.isEmpty)
            else { return nil }
            message = .channel(
                appID: appID, channel: channel, except: except.isEmpty ? nil : except, frame: frame,
                cache: cached == "1" ? ClusterCacheEntry(event: event, data: data) : nil)
        case UInt8(ascii: "u"):
            guard let appID = reader.string(), let userID = reader.string(), let except = reader.string(),
                let frame = reader.field()
            else { return nil }
            message = .user(appID: appID, userID: userID, except: except.isEmpty ? nil : except, frame: frame)
        case UInt8(ascii: "t"):
            guard let appID = reader.string(), let userID = reader.string() else { return nil }
            message = .terminate(appID: appID, userID: userID)
        case UInt8(ascii: "m"):
            guard let appID = reader.string(), let channel = reader.string(), let userID = reader.string(),
                let joined = reader.string(), joined == "1" || joined == "0", let info = reader.string(),
                joined == "1" || info.isEmpty
            else { return nil }
            message = .member(
                appID: appID, channel: channel, userID: userID, info: info.isEmpty ? nil : info, joined: joined == "1")
        case UInt8(ascii: "r"):
            return reader.atEnd ? (nodeID, .resynced) : nil
        case UInt8(ascii: "p"):
            return reader.atEnd ? (nodeID, .configurationChanged) : nil
        default:
            return nil
        }
        guard reader.atEnd else { return nil }
        return (nodeID, .message(message))
    }

    private static func field(_ text: String, into out: inout [UInt8]) { field(Array(text.utf8), into: &out) }

    private static func field(_ bytes: [UInt8], into out: inout [UInt8]) {
        out += Array(String(bytes.count).utf8)
        out.append(UInt8(ascii: ":"))
        out += bytes
    }

    private struct Reader {
        let bytes: [UInt8]
        var position: Int

        var atEnd: Bool { position == bytes.count }

        mutating func field() -> [UInt8]? {
            var length = 0
            var digits = 0
            while position < bytes.count, bytes[position] != UInt8(ascii: ":") {
                let byte = bytes[position]
                // Canonical lengths only: no leading zero, at most 10 digits.
                guard byte >= 0x30, byte <= 0x39, digits < 10, !(digits == 1 && length == 0) else { return nil }
                length = length * 10 + Int(byte - 0x30)
                digits += 1
                position += 1
            }
            guard digits > 0, position < bytes.count else { return nil }
            position += 1
            guard length <= bytes.count - position else { return nil }
            defer { position += length }
            return Array(bytes[position..<(position + length)])
        }

        mutating func string() -> String? {
            field().flatMap { String(validating: $0, as: UTF8.self) }
        }
    }
}
