import NIOCore

/// One HTTP/1.x request as read off the wire: the head, decoded, and the whole body.
struct HTTP1Request: Equatable {
    struct Header: Equatable {
        var name: String
        var value: String
    }

    var method: String
    /// The request target exactly as sent (path and query, not percent-decoded).
    var target: String
    /// The `x` of `HTTP/1.x`.
    var minorVersion: Int
    var headers: [Header]
    var body: [UInt8] = []

    /// The first header of that name (names compare case-insensitively).
    func header(_ name: String) -> String? {
        headers.first { $0.name.equalsLowercase(name) }?.value
    }

    /// Whether a comma-separated header (`Connection`, `Upgrade`) lists `token`, in any case.
    func header(_ name: String, contains token: String) -> Bool {
        headers.contains { header in
            header.name.equalsLowercase(name)
                && header.value.split(separator: ",").contains {
                    $0.trimmingSpaces.lowercased() == token
                }
        }
    }

    /// HTTP/1.1 keeps the connection unless told `close`; HTTP/1.0 closes it unless told `keep-alive`.
    var keepAlive: Bool {
        minorVersion == 0 ? header("connection", contains: "keep-alive") : !header("connection", contains: "close")
    }

    /// A WebSocket opening handshake (RFC 6455 §4.2.1): `GET` with `Upgrade: websocket` and
    /// `Connection: upgrade`. Whether its key and version are acceptable is checked separately.
    var isWebSocketUpgrade: Bool {
        method == "GET" && header("upgrade", contains: "websocket") && header("connection", contains: "upgrade")
    }
}

/// Why a request could not be read. Each maps to the status the server answers with before it
/// closes the connection.
enum HTTP1ParseError: Error, Equatable {
    case malformed(String)
    case headersTooLarge(limit: Int)
    case bodyTooLarge(limit: Int)
    case unsupportedTransferEncoding(String)
    case unsupportedVersion(String)

    var status: Int {
        switch self {
        case .malformed: 400
        case .headersTooLarge: 431
        case .bodyTooLarge: 413
        case .unsupportedTransferEncoding: 501
        case .unsupportedVersion: 505
        }
    }

    var message: String {
        switch self {
        case .malformed(let why): "Malformed HTTP request: \(why)"
        case .headersTooLarge(let limit): "Request line and headers larger than \(limit) bytes"
        case .bodyTooLarge(let limit): "Request body larger than \(limit) bytes"
        case .unsupportedTransferEncoding(let coding): "Transfer-Encoding \(coding) is not supported"
        case .unsupportedVersion(let version): "HTTP version \(version) is not supported"
        }
    }
}

/// An incremental HTTP/1.0 and 1.1 request parser over the bytes of one connection: request
/// line, headers, and a body framed by `Content-Length` or `Transfer-Encoding: chunked`.
/// Pipelined requests come out one per call. It is pure: the caller owns the buffer and the
/// socket, and decides what to answer.
struct HTTP1Parser {
    enum Step: Equatable {
        /// A whole request, consumed from the buffer.
        case request(HTTP1Request)
        /// The head of a request that sent `Expect: 100-continue` is in and its body is not yet:
        /// the caller answers `100 Continue` (reported once per request).
        case expectsContinue
        /// More bytes are needed; nothing was consumed except a head already parsed.
        case needMore
        /// The stream cannot be read further; answer with the error's status and close.
        case failure(HTTP1ParseError)
    }

    let maxHeadBytes: Int
    let maxBodyBytes: Int

    /// A head already parsed whose body is still arriving.
    private var pending: Pending?

    private struct Pending {
        var request: HTTP1Request
        var framing: Framing
        var continueReported = false
    }

    private enum Framing: Equatable {
        case length(Int)
        case chunked
    }

    init(maxHeadBytes: Int = 32 * 1024, maxBodyBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Reads the next request from the front of `buffer`.
    mutating func next(_ buffer: inout ByteBuffer) -> Step {
        if pending == nil {
            switch Self.parseHead(&buffer, maxHeadBytes: maxHeadBytes) {
            case .none: return .needMore
            case .some(.failure(let error)): return .failure(error)
            case .some(.success(let request)):
                switch Self.framing(of: request, maxBodyBytes: maxBodyBytes) {
                case .failure(let error): return .failure(error)
                case .success(let framing): pending = Pending(request: request, framing: framing)
                }
            }
        }
        guard var current = pending else { return .needMore }
        let body: [UInt8]?
        switch current.framing {
        case .length(let length):
            body = buffer.readableBytes >= length ? buffer.readBytes(length: length) : nil
        case .chunked:
            switch Self.readChunked(&buffer, maxBodyBytes: maxBodyBytes) {
            case .failure(let error): return .failure(error)
            case .success(let bytes): body = bytes
            }
        }
        guard let body else {
            if !current.continueReported, current.request.header("expect")?.lowercased() == "100-continue" {
                current.continueReported = true
                pending = current
                return .expectsContinue
            }
            return .needMore
        }
        pending = nil
        current.request.body = body
        return .request(current.request)
    }

    // MARK: - Head

    /// Parses and consumes the request line and headers; `nil` when the blank line has not
    /// arrived yet.
    private static func parseHead(_ buffer: inout ByteBuffer, maxHeadBytes: Int) -> Result<
        HTTP1Request, HTTP1ParseError
    >? {
        let scanned: (Int, Result<HTTP1Request, HTTP1ParseError>)?? = buffer.withUnsafeReadableBytes { bytes in
            // Lines end in CRLF or a bare LF (RFC 9112 §2.2). Empty lines before the request
            // line are skipped (§2.2, which pipelining clients may send after a body).
            var lines: [Range<Int>] = []
            var lineStart = 0
            var index = 0
            let count = min(bytes.count, maxHeadBytes + 1)
            while index < count {
                if bytes[index] == UInt8(ascii: "\n") {
                    var lineEnd = index
                    if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                    if lineEnd == lineStart {
                        if !lines.isEmpty {
                            return .some((index + 1, Self.request(lines: lines, bytes: bytes)))
                        }
                    } else {
                        lines.append(lineStart..<lineEnd)
                    }
                    lineStart = index + 1
                }
                index += 1
            }
            if bytes.count > maxHeadBytes { return .some(nil) }
            return nil
        }
        switch scanned {
        case .none: return nil
        case .some(.none): return .failure(.headersTooLarge(limit: maxHeadBytes))
        case .some(.some((let consumed, let result))):
            buffer.moveReaderIndex(forwardBy: consumed)
            return result
        }
    }

    private static func request(lines: [Range<Int>], bytes: UnsafeRawBufferPointer) -> Result<
        HTTP1Request, HTTP1ParseError
    > {
        let requestLine = bytes[lines[0]]
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            return .failure(.malformed("the request line is not METHOD TARGET VERSION"))
        }
        guard parts[0].allSatisfy(isTokenByte) else { return .failure(.malformed("invalid method")) }
        let version = parts[2]
        guard version.count == 8, version.starts(with: "HTTP/".utf8) else {
            return .failure(.malformed("invalid HTTP version"))
        }
        let major = version[version.startIndex + 5]
        let minor = version[version.startIndex + 7]
        guard version[version.startIndex + 6] == UInt8(ascii: "."), isDigit(major), isDigit(minor) else {
            return .failure(.malformed("invalid HTTP version"))
        }
        guard major == UInt8(ascii: "1") else {
            return .failure(.unsupportedVersion(String(decoding: version.dropFirst(5), as: UTF8.self)))
        }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            return .failure(.malformed("invalid request target"))
        }
        var headers: [HTTP1Request.Header] = []
        headers.reserveCapacity(lines.count - 1)
        for range in lines.dropFirst() {
            let line = bytes[range]
            guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
                return .failure(.malformed("obsolete header line folding"))
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(.malformed("a header line without a colon"))
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
                return .failure(.malformed("invalid header name"))
            }
            var value = line[(colon + 1)...]
            while let b = value.first, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { value = value.dropFirst() }
            while let b = value.last, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { value = value.dropLast() }
            headers.append(
                HTTP1Request.Header(
                    name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
        return .success(
            HTTP1Request(
                method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
                minorVersion: Int(minor - UInt8(ascii: "0")), headers: headers))
    }

    // MARK: - Body

    /// How the body is delimited (RFC 9112 §6.3). Both headers at once is refused, as a
    /// request-smuggling guard.
    private static func framing(of request: HTTP1Request, maxBodyBytes: Int) -> Result<Framing, HTTP1ParseError> {
        var length: Int?
        var transferEncoding: String?
        for header in request.headers {
            if header.name.equalsLowercase("content-length") {
                guard !header.value.isEmpty, header.value.utf8.count <= 18, header.value.utf8.allSatisfy(isDigit),
                    let value = Int(header.value)
                else { return .failure(.malformed("invalid Content-Length")) }
                if let length, length != value { return .failure(.malformed("conflicting Content-Length headers")) }
                length = value
            } else if header.name.equalsLowercase("transfer-encoding") {
                transferEncoding = [transferEncoding, header.value].compactMap { $0 }.joined(separator: ",")
            }
        }
        if let transferEncoding {
            guard length == nil else { return .failure(.malformed("both Content-Length and Transfer-Encoding")) }
            let codings = transferEncoding.split(separator: ",").map { $0.trimmingSpaces.lowercased() }
            guard codings == ["chunked"] else { return .failure(.unsupportedTransferEncoding(transferEncoding)) }
            return .success(.chunked)
        }
        let bodyLength = length ?? 0
        guard bodyLength <= maxBodyBytes else { return .failure(.bodyTooLarge(limit: maxBodyBytes)) }
        return .success(.length(bodyLength))
    }

    /// Reads a whole chunked body and its trailers, consuming them; `nil` when incomplete, in
    /// which case nothing is consumed.
    private static func readChunked(_ buffer: inout ByteBuffer, maxBodyBytes: Int) -> Result<[UInt8]?, HTTP1ParseError>
    {
        let scanned: Result<(Int, [UInt8])?, HTTP1ParseError> = buffer.withUnsafeReadableBytes { bytes in
            var body: [UInt8] = []
            var index = 0
            func line() -> Range<Int>? {
                guard let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                var end = newline
                if end > index, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                defer { index = newline + 1 }
                return index..<end
            }
            while true {
                guard let sizeLine = line() else { return .success(nil) }
                let digits = bytes[sizeLine].prefix { $0 != UInt8(ascii: ";") }
                guard !digits.isEmpty, digits.count <= 8,
                    let size = Int(String(decoding: digits, as: UTF8.self), radix: 16)
                else { return .failure(.malformed("invalid chunk size")) }
                if size == 0 {
                    // Trailer fields, ignored, up to the blank line.
                    while true {
                        guard let trailer = line() else { return .success(nil) }
                        if trailer.isEmpty { return .success((index, body)) }
                    }
                }
                guard body.count + size <= maxBodyBytes else { return .failure(.bodyTooLarge(limit: maxBodyBytes)) }
                guard bytes.count - index >= size else { return .success(nil) }
                body.append(contentsOf: bytes[index..<(index + size)])
                index += size
                guard let end = line() else { return .success(nil) }
                guard end.isEmpty else { return .failure(.malformed("chunk data longer than its size")) }
            }
        }
        switch scanned {
        case .failure(let error): return .failure(error)
        case .success(.none): return .success(nil)
        case .success(.some((let consumed, let body))):
            buffer.moveReaderIndex(forwardBy: consumed)
            return .success(body)
        }
    }
}

/// `tchar` of RFC 9110 §5.6.2.
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

extension String {
    /// ASCII case-insensitive equality with an already lower-case `other`, without allocating.
    fileprivate func equalsLowercase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { a, b in
            (a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z") ? a + 32 : a) == b
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
