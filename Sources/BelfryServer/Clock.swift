import Foundation
import NIOCore

/// Monotonic nanoseconds, the time base of the pure state machines in PusherProtocol.
enum Now {
    static var nanoseconds: UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Seconds since 1970 (wall clock), for grace periods given as dates.
    static var unixSeconds: Int64 { Int64(Date().timeIntervalSince1970) }
}
