import NIOCore

/// Accepts the connections of a `Listener` on an `EpollLoop` and hands each new descriptor, with
/// its peer's address, to `accepted`. Up to `batch` accepts per readiness, so a reconnect storm does not starve the
/// loop's other sockets. When `accept` fails (out of descriptors), the listener is not watched
/// for `backoff` (it stays readable, and watching it would spin the loop), and `failed` is told.
/// Loop-confined (`@unchecked Sendable` so that a task scheduled on the loop can hold it).
public final class Acceptor: EpollHandler, @unchecked Sendable {
    public let listener: Listener
    private let loop: EpollLoop
    private let batch: Int
    private let backoff: TimeAmount
    private let accepted: (Int32, SocketAddress) -> Void
    private let failed: (EpollError) -> Void
    private var watching = false

    public init(
        _ listener: Listener, loop: EpollLoop, batch: Int = 64, backoff: TimeAmount = .milliseconds(100),
        accepted: @escaping (_ fd: Int32, _ peer: SocketAddress) -> Void,
        failed: @escaping (EpollError) -> Void = { _ in }
    ) {
        self.listener = listener
        self.loop = loop
        self.batch = batch
        self.backoff = backoff
        self.accepted = accepted
        self.failed = failed
    }

    /// Starts watching the listener. On the loop.
    public func start() throws(EpollError) {
        try loop.register(listener.fd, interest: .readable, handler: self)
        watching = true
    }

    /// Stops accepting (the listener stays open; its owner closes it). On the loop.
    public func stop() {
        watching = false
        loop.deregister(listener.fd)
    }

    public func ready(_ events: EpollEvents) {
        for _ in 0..<batch {
            switch listener.accept() {
            case .socket(let fd, let peer):
                accepted(fd, peer)
            case .none:
                return
            case .failed(let error):
                pause()
                failed(error)
                return
            }
        }
    }

    private func pause() {
        loop.deregister(listener.fd)
        let (loop, fd) = (self.loop, listener.fd)
        _ = loop.scheduleTask(in: backoff) { [self] in
            guard watching else { return }
            // A listener that cannot be watched again is left unwatched; its owner learns why.
            do throws(EpollError) {
                try loop.register(fd, interest: .readable, handler: self)
            } catch {
                failed(error)
            }
        }
    }
}
