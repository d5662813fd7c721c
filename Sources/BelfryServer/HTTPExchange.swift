import NIOCore

/// A complete HTTP request as the API router sees it, and its response.
struct HTTPRequest: Sendable {
    var method: String
    /// The raw path, as signed by the client (not percent-decoded).
    var path: String
    var query: [(String, String)]
    var body: [UInt8]
}

struct HTTPResponse: Sendable {
    var status: Int
    var body: String
    var headers: [(String, String)] = []
    /// The answer to a HEAD request: `Content-Length` is the body's, the body is not sent.
    var omitsBody = false

    static func json(_ body: String, status: Int = 200) -> HTTPResponse { HTTPResponse(status: status, body: body) }

    /// The response as HTTP/1.1 bytes: status line, `Content-Type: application/json`,
    /// `Content-Length`, the extra headers, `Connection: close` when the server closes after it,
    /// and the body.
    func encode(close: Bool, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status))
        buffer.writeStaticString(" ")
        buffer.writeString(Self.reason(status))
        buffer.writeStaticString("\r\nContent-Type: application/json\r\nContent-Length: ")
        buffer.writeString(String(body.utf8.count))
        buffer.writeStaticString("\r\n")
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if close { buffer.writeStaticString("Connection: close\r\n") }
        buffer.writeStaticString("\r\n")
        if !omitsBody { buffer.writeString(body) }
    }

    /// The reason phrase of each status the server answers with (RFC 9110 §15).
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }
}

/// A response ready now, or one that comes later (the cluster's counts are read from Redis; a
/// publish waits for the loops its fan-out went to).
enum HTTPAnswer {
    case now(HTTPResponse)
    case later(PendingResponse)

    /// The same answer, given once `loops` have run what was queued on them so far.
    func after(_ loops: [EventLoop]) -> HTTPAnswer {
        switch self {
        case .now(let response):
            return .later(PendingResponse { done in FanOut.settled(loops) { done(response) } })
        case .later(let pending):
            return .later(PendingResponse { done in FanOut.settled(loops) { pending.start(done) } })
        }
    }
}

/// A response computed elsewhere: `start` is called once and calls back exactly once, on any
/// thread.
struct PendingResponse: Sendable {
    let start: @Sendable (@escaping @Sendable (HTTPResponse) -> Void) -> Void

    /// The same response, passed through `transform` once it is there.
    func map(_ transform: @escaping @Sendable (HTTPResponse) -> HTTPResponse) -> PendingResponse {
        let start = self.start
        return PendingResponse { done in start { done(transform($0)) } }
    }
}
