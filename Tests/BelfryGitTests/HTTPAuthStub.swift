import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A one-thread HTTP server on 127.0.0.1 that answers every request with 401 Basic and records
/// the `Authorization` headers it was sent: enough to drive libgit2's credential callback
/// without a network or a git server.
final class HTTPAuthStub: @unchecked Sendable {
    // @unchecked Sendable: `listener` and `port` are immutable after init; `headers` and
    // `stopped` are only touched under `lock`; the accept thread ends when the listener is shut down.
    private let listener: Int32
    /// The port the server listens on.
    let port: Int
    private let lock = NSLock()
    private var headers: [String] = []
    private var stopped = false

    /// Starts listening on an ephemeral port and serving on a background thread.
    init() {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                _ = bind(listener, socketAddress, length)
                _ = listen(listener, 8)
                _ = getsockname(listener, socketAddress, &length)
            }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in serve() }
    }

    /// The `Authorization` header values received so far, in order.
    var authorizations: [String] {
        lock.withLock { headers }
    }

    /// Stops accepting; the serving thread then closes the socket and exits. Idempotent.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        if first { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                close(listener)  // only here, so the descriptor cannot be reused while accept runs
                return
            }
            var request = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.ends(with: Array("\r\n\r\n".utf8)) {
                let count = read(connection, &buffer, buffer.count)
                guard count > 0 else { break }
                request += buffer[0..<count]
            }
            for line in String(decoding: request, as: UTF8.self).split(separator: "\r\n")
            where line.lowercased().hasPrefix("authorization:") {
                lock.withLock {
                    headers.append(line.dropFirst("authorization:".count).trimmingCharacters(in: .whitespaces))
                }
            }
            let response =
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n"
            _ = response.withCString { write(connection, $0, strlen($0)) }
            close(connection)
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
