import CEpoll
import Glibc

/// What a descriptor is watched for, and what `epoll_wait` said it is ready for.
public struct EpollEvents: OptionSet, Sendable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let readable = EpollEvents(rawValue: EPOLLIN.rawValue)
    public static let writable = EpollEvents(rawValue: EPOLLOUT.rawValue)
    /// The peer closed its end for writing (reported with `readable`: a read returns 0).
    public static let readHangup = EpollEvents(rawValue: EPOLLRDHUP.rawValue)
    /// Always reported, whether asked for or not.
    public static let hangup = EpollEvents(rawValue: EPOLLHUP.rawValue)
    public static let error = EpollEvents(rawValue: EPOLLERR.rawValue)
    /// Asked for, not reported: report a readiness when it begins (bytes arrive, room frees up),
    /// not at every wait while it lasts (`EPOLLET`).
    public static let edgeTriggered = EpollEvents(rawValue: EPOLLET.rawValue)
}

/// The owner of a watched descriptor, called on the loop when it is ready.
public protocol EpollHandler: AnyObject {
    func ready(_ events: EpollEvents)
}

/// A system call that failed, with its `errno`.
public struct EpollError: Error, Equatable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}
