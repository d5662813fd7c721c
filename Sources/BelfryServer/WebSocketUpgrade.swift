import NIOCore
import PusherProtocol

/// The checks of a WebSocket opening handshake (RFC 6455 §4.2.2) that come before the
/// per-address limits, and the 101 that accepts it: the same for a socket served by NIO
/// (`HTTPHandler`) and by BelfryEpoll (`EpollHTTPHandler`).
enum WebSocketUpgrade {
    enum Check {
        /// Answer with this error and close.
        case refuse(HTTPResponse)
        /// Go on with the client's valid `Sec-WebSocket-Key`.
        case proceed(key: String)
    }

    static func check(_ request: HTTP1Request, descriptors: DescriptorBudget) -> Check {
        guard request.header("sec-websocket-version") == "13" else {
            var response = HTTPResponse.json(
                APIError(426, "WebSocket version 13 is required (Sec-WebSocket-Version)").body, status: 426)
            response.headers.append(("Sec-WebSocket-Version", "13"))
            return .refuse(response)
        }
        guard descriptors.allowsUpgrade else {
            var response = HTTPResponse.json(
                APIError(503, "The server is out of connection capacity; retry later").body, status: 503)
            response.headers.append(("Retry-After", "5"))
            return .refuse(response)
        }
        guard let key = request.header("sec-websocket-key"), WebSocketAccept.isValidKey(key) else {
            return .refuse(.json(APIError(400, "Missing or invalid Sec-WebSocket-Key").body, status: 400))
        }
        return .proceed(key: key)
    }

    /// `101 Switching Protocols` with the `Sec-WebSocket-Accept` for `key`.
    static func switchingProtocols(key: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        // Room for the first frame too: on epoll it is written into the same buffer (`cork`).
        var head = allocator.buffer(capacity: 256)
        head.writeStaticString(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: ")
        head.writeWithUnsafeMutableBytes(minimumWritableBytes: WebSocketAccept.length) {
            WebSocketAccept.write(forKey: key, into: $0)
        }
        head.writeStaticString("\r\n\r\n")
        return head
    }
}
