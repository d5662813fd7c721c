/// Pusher close codes (protocol 7). The range tells pusher-js what to do next: 4000–4099 do not
/// reconnect, 4100–4199 back off, 4200–4299 reconnect at once, 4300+ other errors.
public enum CloseCode: UInt16, Sendable {
    case appDoesNotExist = 4001
    case appDisabled = 4003
    case overConnectionQuota = 4004
    case pathNotFound = 4005
    case unsupportedProtocolVersion = 4007
    case noProtocolVersion = 4008
    case unauthorized = 4009
    case overCapacity = 4100
    case reconnectImmediately = 4200
    case pongNotReceived = 4201
    case clientEventRejected = 4301
    case watchlistLimit = 4302

    /// The default human text sent with the code.
    public var defaultMessage: String {
        switch self {
        case .appDoesNotExist: return "Application does not exist"
        case .appDisabled: return "Application disabled"
        case .overConnectionQuota: return "Application is over connection quota"
        case .pathNotFound: return "Path not found"
        case .unsupportedProtocolVersion: return "Unsupported protocol version"
        case .noProtocolVersion: return "No protocol version supplied"
        case .unauthorized: return "Connection is unauthorized"
        case .overCapacity: return "Over capacity"
        case .reconnectImmediately: return "Server is shutting down; reconnect"
        case .pongNotReceived: return "Pong reply not received in time"
        case .clientEventRejected: return "Client event rejected"
        case .watchlistLimit: return "Watchlist limit exceeded; only the first 100 user ids are watched"
        }
    }
}

/// A reason to close a connection: the code and the text sent in `pusher:error` and the close frame.
public struct CloseReason: Error, Sendable, Equatable {
    public var code: CloseCode
    public var message: String

    public init(_ code: CloseCode, _ message: String? = nil) {
        self.code = code
        self.message = message ?? code.defaultMessage
    }
}
