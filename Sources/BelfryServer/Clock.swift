import NIOCore

/// Monotonic nanoseconds, the time base of the pure state machines in PusherProtocol.
enum Now {
    static var nanoseconds: UInt64 { NIODeadline.now().uptimeNanoseconds }
}
