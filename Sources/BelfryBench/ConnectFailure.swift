import NIOCore

/// Why a subscriber never became ready, as data; the run reports the first one.
enum ConnectFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case connect(String)
    case httpStatus(Int)
    case upgrade(String)
    case refused(String)
    case closed
    case timeout

    var description: String {
        switch self {
        case .connect(let e): return "connect failed: \(e)"
        case .httpStatus(let s): return "upgrade answered HTTP \(s)"
        case .upgrade(let e): return "upgrade failed: \(e)"
        case .refused(let frame): return "server refused: \(frame.prefix(200))"
        case .closed: return "closed before ready"
        case .timeout: return "handshake timed out"
        }
    }
}

/// One connection's outcome, completed once by whichever handler learns it first.
///
/// `@unchecked Sendable`: `done` is only touched on the channel's event loop.
final class ReadySignal: @unchecked Sendable {
    let promise: EventLoopPromise<UInt64>
    private var done = false

    init(promise: EventLoopPromise<UInt64>) { self.promise = promise }

    var isDone: Bool { done }

    /// Ready at `micros` (monotonic).
    func succeed(_ micros: UInt64) {
        guard !done else { return }
        done = true
        promise.succeed(micros)
    }

    func fail(_ failure: ConnectFailure) {
        guard !done else { return }
        done = true
        promise.fail(failure)
    }
}
