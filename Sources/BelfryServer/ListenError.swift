import BelfryEpoll
import Foundation
import NIOCore

/// A port that cannot be bound, said the way an operator reads it: which port, on which
/// address, and the system's reason (`cannot listen on 0.0.0.0:6001 (public port): Address
/// already in use`).
public struct ListenError: Error, CustomStringConvertible {
    public var port: String
    public var host: String
    public var number: Int
    public var reason: String

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "cannot listen on \(shownHost):\(number) (\(port)): \(reason)"
    }

    /// `error` from a bind, with NIO's `IOError` reduced to the system's text for its errno.
    static func binding(_ port: String, host: String, number: Int, _ error: any Error) -> ListenError {
        let errno = (error as? IOError)?.errnoCode ?? (error as? EpollError)?.errno
        let reason = errno.map { String(cString: strerror($0)) } ?? "\(error)"
        return ListenError(port: port, host: host, number: number, reason: reason)
    }
}
