/// Incremental HTTP/1.1 response parser for the publisher's keep-alive connections: it only
/// needs each response's status and where it ends (Content-Length or chunked bodies).
public struct HTTPResponseParser: Sendable {
    /// The stream cannot be read as HTTP/1.1 responses.
    public struct Malformed: Error, Sendable, Equatable {
        public var reason: String
    }

    private enum State: Sendable {
        case head
        case body(status: Int, remaining: Int)
        case chunkSize(status: Int)
        case chunkData(status: Int, remaining: Int)
        case trailers(status: Int)
    }

    private var buffer: [UInt8] = []
    private var state = State.head

    public init() {}

    /// Consumes `bytes`, calling `onResponse` with the status of every response completed by them.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, onResponse: (Int) -> Void) throws(Malformed) {
        buffer.append(contentsOf: bytes)
        var offset = 0
        defer { buffer.removeFirst(offset) }
        while true {
            switch state {
            case .head:
                guard let end = find([13, 10, 13, 10], from: offset) else { return }
                let (status, length, chunked) = try Self.readHead(buffer[offset..<end])
                offset = end + 4
                if chunked {
                    state = .chunkSize(status: status)
                } else if length > 0 {
                    state = .body(status: status, remaining: length)
                } else {
                    onResponse(status)
                }
            case .body(let status, let remaining):
                let take = min(remaining, buffer.count - offset)
                offset += take
                guard take == remaining else {
                    state = .body(status: status, remaining: remaining - take)
                    return
                }
                state = .head
                onResponse(status)
            case .chunkSize(let status):
                guard let end = find([13, 10], from: offset) else { return }
                let line = String(decoding: buffer[offset..<end], as: UTF8.self)
                offset = end + 2
                let hex = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
                guard let size = Int(hex.trimmingSpaces(), radix: 16), size >= 0 else {
                    throw Malformed(reason: "bad chunk size \(line)")
                }
                state = size == 0 ? .trailers(status: status) : .chunkData(status: status, remaining: size + 2)
            case .chunkData(let status, let remaining):
                let take = min(remaining, buffer.count - offset)
                offset += take
                guard take == remaining else {
                    state = .chunkData(status: status, remaining: remaining - take)
                    return
                }
                state = .chunkSize(status: status)
            case .trailers(let status):
                guard let end = find([13, 10], from: offset) else { return }
                let empty = end == offset
                offset = end + 2
                if empty {
                    state = .head
                    onResponse(status)
                }
            }
        }
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard buffer.count - start >= needle.count else { return nil }
        var i = start
        while i <= buffer.count - needle.count {
            if buffer[i] == needle[0] && buffer[i + 1] == needle[1]
                && (needle.count == 2 || (buffer[i + 2] == needle[2] && buffer[i + 3] == needle[3]))
            {
                return i
            }
            i += 1
        }
        return nil
    }

    /// Status, Content-Length and whether the body is chunked, from the head's bytes.
    private static func readHead(_ head: ArraySlice<UInt8>) throws(Malformed) -> (Int, Int, Bool) {
        let lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line in
            line.last == 13 ? line.dropLast() : line
        }
        let statusLine = lines.first ?? []
        let statusParts = statusLine.split(separator: UInt8(ascii: " "), maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].starts(with: "HTTP/1.".utf8),
            let status = Int(String(decoding: statusParts[1], as: UTF8.self))
        else {
            throw Malformed(reason: "bad status line \(String(decoding: statusLine, as: UTF8.self))")
        }
        var length = 0
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
            if name == "content-length" {
                guard let n = Int(value), n >= 0 else { throw Malformed(reason: "bad Content-Length \(value)") }
                length = n
            } else if name == "transfer-encoding" && value.lowercased().contains("chunked") {
                chunked = true
            }
        }
        // 1xx, 204 and 304 responses never have a body.
        if status < 200 || status == 204 || status == 304 { return (status, 0, false) }
        return (status, length, chunked)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
