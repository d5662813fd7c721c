import PusherProtocol

/// Builds the publish request for message j as ready-to-write HTTP/1.1 bytes: a signed Pusher
/// `POST /apps/{id}/events` or an nchan `POST /pub/{channel}`, the send timestamp in the body.
public struct PublishRequest: Sendable {
    public let options: BenchOptions
    public let address: ServerAddress
    private let layout: ChannelLayout
    /// The secret keyed once: the publisher signs every request and must not be the bottleneck.
    private let signingKey: SigningKey

    public init(options: BenchOptions, address: ServerAddress) {
        self.options = options
        self.address = address
        self.layout = options.layout
        self.signingKey = SigningKey(secret: options.secret)
    }

    /// The request body for message `seq` stamped `micros`.
    public func body(seq: Int, micros: UInt64) -> String {
        let ts = TimestampScanner.marker(micros)
        switch options.protocolKind {
        case .pusher:
            let channel = layout.name(layout.group(ofMessage: seq))
            return #"{"name":"bench","channel":"\#(channel)","data":"{\"ts\":\"\#(ts)\",\"seq\":\#(seq)}"}"#
        case .nchan:
            return #"{"ts":"\#(ts)","seq":\#(seq)}"#
        }
    }

    /// The request path for message `seq` (without query).
    public func path(seq: Int) -> String {
        switch options.protocolKind {
        case .pusher: return "/apps/\(options.appID)/events"
        case .nchan: return "/pub/\(layout.name(layout.group(ofMessage: seq)))"
        }
    }

    /// The signed query (auth_key, auth_timestamp, auth_version, body_md5, auth_signature) for
    /// Pusher; empty for nchan.
    public func query(path: String, body: String, unixTime: Int) -> [(String, String)] {
        guard options.protocolKind == .pusher else { return [] }
        var query = [
            ("auth_key", options.key), ("auth_timestamp", String(unixTime)), ("auth_version", "1.0"),
            ("body_md5", Signature.md5Hex(body.utf8)),
        ]
        let message = RequestSignature.stringToSign(method: "POST", path: path, query: query)
        query.append(("auth_signature", signingKey.hex(message)))
        return query
    }

    /// The whole request for message `seq`, stamped `micros`, signed at `unixTime`.
    public func bytes(seq: Int, micros: UInt64, unixTime: Int) -> [UInt8] {
        let body = body(seq: seq, micros: micros)
        let path = path(seq: seq)
        let query = query(path: path, body: body, unixTime: unixTime)
        let target =
            query.isEmpty ? path : path + "?" + query.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
        var text = "POST \(target) HTTP/1.1\r\nHost: \(address.hostHeader)\r\n"
        text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        text += body
        return Array(text.utf8)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func escape(_ value: String) -> String {
        func unreserved(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                return true
            default:
                return false
            }
        }
        // Keys, timestamps and hex digests are all unreserved: the common case copies nothing.
        if value.utf8.allSatisfy(unreserved) { return value }
        var out = ""
        for byte in value.utf8 {
            if unreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
