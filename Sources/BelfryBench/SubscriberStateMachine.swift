/// One subscriber's handshake as a pure state machine: it reads non-timestamped text frames and
/// returns what the handler must do (send the subscribe, answer `pusher:ping`, report ready/failure).
public struct SubscriberStateMachine: Sendable {
    public enum State: Sendable, Equatable { case connecting, subscribing, ready, failed }

    public enum Action: Sendable, Equatable {
        case none
        /// Send this text frame.
        case send(String)
        /// The subscription is acknowledged: the connection counts as ready.
        case ready
        /// The handshake was refused; the payload is the server's frame.
        case fail(String)
    }

    public private(set) var state = State.connecting
    public let protocolKind: BenchProtocol
    public let channel: String

    static let established = Array("pusher:connection_established".utf8)
    static let subscribed = Array("pusher_internal:subscription_succeeded".utf8)
    static let ping = Array("pusher:ping".utf8)
    static let error = Array("pusher:error".utf8)
    public static let pong = #"{"event":"pusher:pong","data":{}}"#

    public init(protocolKind: BenchProtocol, channel: String) {
        self.protocolKind = protocolKind
        self.channel = channel
    }

    public var isReady: Bool { state == .ready }

    /// The WebSocket upgrade completed: nchan subscribers are ready now, Pusher ones wait.
    public mutating func upgraded() -> Action {
        guard protocolKind == .nchan, state == .connecting else { return .none }
        state = .ready
        return .ready
    }

    /// A text frame without a timestamp arrived.
    public mutating func text(_ bytes: UnsafeRawBufferPointer) -> Action {
        guard protocolKind == .pusher else { return .none }
        if ByteSearch.contains(bytes, Self.ping) { return .send(Self.pong) }
        switch state {
        case .connecting:
            if ByteSearch.contains(bytes, Self.established) {
                state = .subscribing
                return .send(#"{"event":"pusher:subscribe","data":{"channel":"\#(channel)"}}"#)
            }
        case .subscribing:
            if ByteSearch.contains(bytes, Self.subscribed) {
                state = .ready
                return .ready
            }
        case .ready, .failed:
            return .none
        }
        if ByteSearch.contains(bytes, Self.error) {
            state = .failed
            return .fail(String(decoding: bytes, as: UTF8.self))
        }
        return .none
    }

    /// Convenience for tests.
    public mutating func text(_ string: String) -> Action {
        Array(string.utf8).withUnsafeBytes { text($0) }
    }
}
