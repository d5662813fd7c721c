import NIOCore

/// One HTTP/1.x request as read off the wire: the head and the whole body. The request keeps
/// its head's bytes and where each header is in them: a header's name is compared as bytes, and
/// its value becomes a string only when asked for, so a browser's dozen headers cost no string
/// each (BENCHMARKS.md, issue 18's twelfth step).
struct HTTP1Request: Equatable, Sendable {
    /// Where a header's name and value are in `head`.
    struct Field: Equatable {
        var name: Range<Int>
        var value: Range<Int>
    }

    var method: String
    /// The request target exactly as sent (path and query, not percent-decoded).
    var target: String
    /// The `x` of `HTTP/1.x`.
    var minorVersion: Int
    /// The head as read: request line, headers and the blank line.
    private(set) var head: [UInt8] = []
    /// The headers, in order.
    private(set) var fields: [Field] = []
    var body: [UInt8] = []

    init(method: String, target: String, minorVersion: Int, head: [UInt8] = [], fields: [Field] = []) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.head = head
        self.fields = fields
    }

    /// The value of the first header of that name (bytes that are not UTF-8 repaired); `name` is
    /// given in lower case and matches any case.
    func header(_ name: String) -> String? {
        guard let field = fields.first(where: { isNamed($0, name) }) else { return nil }
        return String(decoding: head[field.value], as: UTF8.self)
    }

    /// Whether a comma-separated header (`Connection`, `Upgrade`) lists `token`, in any case
    /// (`name` and `token` given in lower case).
    func header(_ name: String, contains token: String) -> Bool {
        fields.contains { isNamed($0, name) && Self.list(head[$0.value], contains: token) }
    }

    /// Whether `field` is named `name` (lower case), in any case.
    func isNamed(_ field: Field, _ name: String) -> Bool {
        field.name.count == name.utf8.count
            && head[field.name].elementsEqual(name.utf8) {
                ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0) == $1
            }
    }

    /// Whether a comma-separated list has an item equal to `token` (lower case) in any case,
    /// spaces and tabs around items ignored; read in place, without making a string per item.
    static func list(_ bytes: ArraySlice<UInt8>, contains token: String) -> Bool {
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.endIndex
            var item = bytes[start..<end]
            while let first = item.first, first == 0x20 || first == 0x09 { item = item.dropFirst() }
            while let last = item.last, last == 0x20 || last == 0x09 { item = item.dropLast() }
            if item.elementsEqual(token.utf8, by: { ($0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0) == $1 }) { return true }
            if end == bytes.endIndex { return false }
            start = bytes.index(after: end)
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

    /// How far the search for the end of the current head has got, so that a head arriving in
    /// many small reads is not rescanned from its start each time.
    private var headScanned = 0

    private struct Pending {
        var request: HTTP1Request
        var framing: Framing
        var continueReported = false
        var chunks = ChunkedBody()
    }

    /// Progress through a chunked body (RFC 9112 §7.1), consumed from the buffer as it arrives.
    private struct ChunkedBody {
        enum Position: Equatable {
            case size
            case data(remaining: Int)
            case dataEnd
            case trailers
        }

        var position = Position.size
        var body: [UInt8] = []
        var trailerBytes = 0
    }

    /// The longest chunk-size line (with extensions) accepted.
    static let maxChunkLine = 4096

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
            // Blank lines before a request line are skipped (RFC 9112 §2.2); pipelining
            // clients may send one after a body.
            while let first = buffer.readableBytesView.first, first == UInt8(ascii: "\r") || first == UInt8(ascii: "\n")
            {
                buffer.moveReaderIndex(forwardBy: 1)
            }
            guard let end = Self.endOfHead(buffer, from: headScanned) else {
                if buffer.readableBytes > maxHeadBytes { return .failure(.headersTooLarge(limit: maxHeadBytes)) }
                headScanned = max(0, buffer.readableBytes - 3)
                return .needMore
            }
            headScanned = 0
            guard end <= maxHeadBytes else { return .failure(.headersTooLarge(limit: maxHeadBytes)) }
            switch Self.parseHead(&buffer, length: end) {
            case .failure(let error): return .failure(error)
            case .success(let request):
                switch Self.framing(of: request, maxBodyBytes: maxBodyBytes) {
                case .failure(let error): return .failure(error)
                case .success(let framing): pending = Pending(request: request, framing: framing)
                }
            }
        }
        // Taken out of `pending` (and put back while incomplete) so it is not copied.
        guard var current = pending.take() else { return .needMore }
        let body: [UInt8]?
        switch current.framing {
        case .length(let length):
            body = buffer.readableBytes >= length ? buffer.readBytes(length: length) : nil
        case .chunked:
            switch Self.readChunked(
                &buffer, into: &current.chunks, maxBodyBytes: maxBodyBytes, maxTrailerBytes: maxHeadBytes)
            {
            case .failure(let error): return .failure(error)
            case .success(let complete): body = complete ? current.chunks.body : nil
            }
        }
        guard let body else {
            defer { pending = current }
            if !current.continueReported, current.request.header("expect")?.lowercased() == "100-continue" {
                current.continueReported = true
                return .expectsContinue
            }
            return .needMore
        }
        current.request.body = body
        return .request(current.request)
    }

    // MARK: - Head

    /// The length of the head (through its blank line) when it is all in `buffer`, searching
    /// from `from`.
    private static func endOfHead(_ buffer: ByteBuffer, from: Int) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            var index = from
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\n") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { return index + 2 }
                    if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"),
                        bytes[index + 2] == UInt8(ascii: "\n")
                    {
                        return index + 3
                    }
                }
                index += 1
            }
            return nil
        }
    }

    /// Parses and consumes a complete head of `length` bytes (found by `endOfHead`, leading
    /// blank lines already skipped). Lines end in CRLF or a bare LF (RFC 9112 §2.2).
    private static func parseHead(_ buffer: inout ByteBuffer, length: Int) -> Result<HTTP1Request, HTTP1ParseError> {
        let head = buffer.readBytes(length: length) ?? []
        return head.withUnsafeBufferPointer { request(head, bytes: $0) }
    }

    /// The request in `head` (its bytes `bytes`): the request line, then a header per line, to
    /// the blank line that ends it.
    private static func request(_ head: [UInt8], bytes: UnsafeBufferPointer<UInt8>) -> Result<
        HTTP1Request, HTTP1ParseError
    > {
        func string(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        var start: (method: String, target: String, minorVersion: Int)?
        var fields: [HTTP1Request.Field] = []
        var lineStart = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            var lineEnd = index
            if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            if lineEnd == lineStart { break }  // the blank line that ends the head
            let line = lineStart..<lineEnd
            lineStart = index + 1
            guard start != nil else {
                switch requestLine(line, bytes: bytes) {
                case .failure(let error): return .failure(error)
                case .success(let parts):
                    start = (string(parts.method), string(parts.target), parts.minorVersion)
                    fields.reserveCapacity(16)
                }
                continue
            }
            switch field(line, bytes: bytes) {
            case .failure(let error): return .failure(error)
            case .success(let field): fields.append(field)
            }
        }
        guard let start else { return .failure(.malformed("the request line is not METHOD TARGET VERSION")) }
        return .success(
            HTTP1Request(
                method: start.method, target: start.target, minorVersion: start.minorVersion, head: head, fields: fields
            ))
    }

    /// METHOD SP TARGET SP HTTP/1.x, single spaces (RFC 9112 §3).
    private static func requestLine(_ line: Range<Int>, bytes: UnsafeBufferPointer<UInt8>) -> Result<
        (method: Range<Int>, target: Range<Int>, minorVersion: Int), HTTP1ParseError
    > {
        guard let space1 = bytes[line].firstIndex(of: UInt8(ascii: " ")),
            let space2 = bytes[(space1 + 1)..<line.upperBound].firstIndex(of: UInt8(ascii: " ")),
            space1 > line.lowerBound, space2 > space1 + 1,
            !bytes[(space2 + 1)..<line.upperBound].contains(UInt8(ascii: " "))
        else { return .failure(.malformed("the request line is not METHOD TARGET VERSION")) }
        guard bytes[line.lowerBound..<space1].allSatisfy(isTokenByte) else {
            return .failure(.malformed("invalid method"))
        }
        let version = bytes[(space2 + 1)..<line.upperBound]
        guard version.count == 8, version.starts(with: "HTTP/".utf8) else {
            return .failure(.malformed("invalid HTTP version"))
        }
        let major = version[version.startIndex + 5]
        let minor = version[version.startIndex + 7]
        guard version[version.startIndex + 6] == UInt8(ascii: "."), isDigit(major), isDigit(minor) else {
            return .failure(.malformed("invalid HTTP version"))
        }
        guard major == UInt8(ascii: "1") else {
            let text = String(
                decoding: UnsafeBufferPointer(rebasing: bytes[(space2 + 6)..<line.upperBound]), as: UTF8.self)
            return .failure(.unsupportedVersion(text))
        }
        guard bytes[(space1 + 1)..<space2].allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            return .failure(.malformed("invalid request target"))
        }
        return .success((line.lowerBound..<space1, (space1 + 1)..<space2, Int(minor - UInt8(ascii: "0"))))
    }

    /// NAME ":" OWS VALUE OWS (RFC 9112 §5).
    private static func field(_ range: Range<Int>, bytes: UnsafeBufferPointer<UInt8>) -> Result<
        HTTP1Request.Field, HTTP1ParseError
    > {
        let first = bytes[range.lowerBound]
        guard first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
            return .failure(.malformed("obsolete header line folding"))
        }
        guard let colon = bytes[range].firstIndex(of: UInt8(ascii: ":")) else {
            return .failure(.malformed("a header line without a colon"))
        }
        guard colon > range.lowerBound, bytes[range.lowerBound..<colon].allSatisfy(isTokenByte) else {
            return .failure(.malformed("invalid header name"))
        }
        var valueStart = colon + 1
        var valueEnd = range.upperBound
        while valueStart < valueEnd, bytes[valueStart] == UInt8(ascii: " ") || bytes[valueStart] == UInt8(ascii: "\t") {
            valueStart += 1
        }
        while valueEnd > valueStart,
            bytes[valueEnd - 1] == UInt8(ascii: " ") || bytes[valueEnd - 1] == UInt8(ascii: "\t")
        {
            valueEnd -= 1
        }
        return .success(HTTP1Request.Field(name: range.lowerBound..<colon, value: valueStart..<valueEnd))
    }

    // MARK: - Body

    /// How the body is delimited (RFC 9112 §6.3). Both headers at once is refused, as a
    /// request-smuggling guard.
    private static func framing(of request: HTTP1Request, maxBodyBytes: Int) -> Result<Framing, HTTP1ParseError> {
        var length: Int?
        var transferEncoding: String?
        for field in request.fields {
            if request.isNamed(field, "content-length") {
                let value = request.head[field.value]
                guard !value.isEmpty, value.count <= 18, value.allSatisfy(isDigit),
                    let number = Int(String(decoding: value, as: UTF8.self))
                else { return .failure(.malformed("invalid Content-Length")) }
                if let length, length != number { return .failure(.malformed("conflicting Content-Length headers")) }
                length = number
            } else if request.isNamed(field, "transfer-encoding") {
                let value = String(decoding: request.head[field.value], as: UTF8.self)
                transferEncoding = [transferEncoding, value].compactMap { $0 }.joined(separator: ",")
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

    /// Reads as much of a chunked body as has arrived into `state`, consuming it; `true` once
    /// the last chunk and the trailers (ignored) are in. Every line is bounded, so a client
    /// cannot make the server buffer or rescan without limit.
    private static func readChunked(
        _ buffer: inout ByteBuffer, into state: inout ChunkedBody, maxBodyBytes: Int, maxTrailerBytes: Int
    ) -> Result<Bool, HTTP1ParseError> {
        while true {
            switch state.position {
            case .data(let remaining):
                let count = min(remaining, buffer.readableBytes)
                buffer.readWithUnsafeReadableBytes { bytes in
                    state.body.append(contentsOf: bytes.prefix(count))
                    return count
                }
                guard count == remaining else {
                    state.position = .data(remaining: remaining - count)
                    return .success(false)
                }
                state.position = .dataEnd
            case .size, .dataEnd, .trailers:
                let line: [UInt8]
                switch readLine(&buffer, maxLength: state.position == .trailers ? maxTrailerBytes : maxChunkLine) {
                case .incomplete: return .success(false)
                case .tooLong: return .failure(.malformed("chunk-size or trailer line too long"))
                case .line(let bytes): line = bytes
                }
                switch state.position {
                case .size:
                    let digits = line.prefix { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: " ") }
                    // Hex digits only: `Int(_:radix:)` alone would take "-1" or "+1" (a negative
                    // size crashed the server: found by the fuzzer, fuzz/crashes/http1).
                    guard !digits.isEmpty, digits.count <= 8, digits.allSatisfy(\.isHexDigitASCII),
                        let size = Int(String(decoding: digits, as: UTF8.self), radix: 16)
                    else { return .failure(.malformed("invalid chunk size")) }
                    guard state.body.count + size <= maxBodyBytes else {
                        return .failure(.bodyTooLarge(limit: maxBodyBytes))
                    }
                    state.position = size == 0 ? .trailers : .data(remaining: size)
                case .dataEnd:
                    guard line.isEmpty else { return .failure(.malformed("chunk data longer than its size")) }
                    state.position = .size
                default:
                    if line.isEmpty { return .success(true) }
                    state.trailerBytes += line.count + 2
                    guard state.trailerBytes <= maxTrailerBytes else {
                        return .failure(.headersTooLarge(limit: maxTrailerBytes))
                    }
                }
            }
        }
    }

    private enum Line {
        case line([UInt8])
        case incomplete
        case tooLong
    }

    /// One line (without CRLF or LF) consumed from the front of `buffer`.
    private static func readLine(_ buffer: inout ByteBuffer, maxLength: Int) -> Line {
        let view = buffer.readableBytesView
        guard let newline = view.prefix(maxLength + 2).firstIndex(of: UInt8(ascii: "\n")) else {
            return view.count > maxLength + 1 ? .tooLong : .incomplete
        }
        var end = newline
        if end > view.startIndex, view[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = Array(view[view.startIndex..<end])
        buffer.moveReaderIndex(to: newline + 1)
        return .line(line)
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

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}

extension UInt8 {
    /// `0-9`, `a-f`, `A-F`.
    fileprivate var isHexDigitASCII: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
