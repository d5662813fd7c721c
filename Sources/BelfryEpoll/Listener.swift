import CEpoll
import Glibc
import NIOCore

/// A non-blocking TCP listening socket on IPv4 (`SO_REUSEADDR`, `TCP_NODELAY` inherited by the
/// sockets it accepts).
public struct Listener: Sendable {
    public let fd: Int32
    /// The port bound (the one the kernel chose, for port 0).
    public let port: Int

    /// What one `accept` gave.
    public enum Accepted: Equatable, Sendable {
        /// A new non-blocking, close-on-exec socket, and its peer's address (from the accept
        /// itself: no `getpeername(2)` needed).
        case socket(Int32, peer: SocketAddress)
        /// None waiting.
        case none
        /// Out of descriptors (`EMFILE`, `ENFILE`) or another failure; the caller backs off.
        case failed(EpollError)
    }

    /// Binds and listens. `host` is an IPv4 address in dotted form ("0.0.0.0" for every interface).
    public static func bind(host: String, port: Int, backlog: Int32 = 1024) throws(EpollError) -> Listener {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw EpollError(call: "inet_pton(\(host))", errno: EINVAL)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw EpollError(call: "socket", errno: errno) }
        do throws(EpollError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR)
            try setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw EpollError(call: "bind", errno: errno) }
            guard listen(fd, backlog) == 0 else { throw EpollError(call: "listen", errno: errno) }
            return Listener(fd: fd, port: try boundPort(fd))
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Accepts one waiting connection.
    public func accept() -> Accepted {
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let socket = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                accept4(fd, $0, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
            }
        }
        if socket >= 0 { return .socket(socket, peer: SocketAddress(peer, host: "")) }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED: return .none
        case let code: return .failed(EpollError(call: "accept4", errno: code))
        }
    }

    public func close() { Glibc.close(fd) }

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32) throws(EpollError) {
        var one: Int32 = 1
        guard setsockopt(fd, level, name, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw EpollError(call: "setsockopt", errno: errno)
        }
    }

    private static func boundPort(_ fd: Int32) throws(EpollError) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw EpollError(call: "getsockname", errno: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
