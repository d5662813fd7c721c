import ServiceLifecycle

/// Waiting for the end of a service's life.
enum ShutdownSignal {
    /// Returns once the service group starts a graceful shutdown or the task is cancelled (the
    /// group cancels every service when one of them fails, a port already in use, say).
    ///
    /// `gracefulShutdown()` can miss a cancellation that arrived before it started waiting and
    /// then never return; a finished `AsyncStream` cannot be missed.
    static func wait() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                for await _ in stream {}
            } onCancel: {
                continuation.finish()
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }
}
