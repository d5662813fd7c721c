import BelfryManifest
import BelfryPlan
import BelfrySource
import Foundation
import Logging
import ServiceLifecycle

/// The reconcile loop: every `interval` (with jitter), or when triggered, read the source,
/// validate the revision whole, plan it against the server and apply it if it changes anything.
/// One pass at a time; triggers during a pass coalesce into one more pass. An invalid revision
/// never replaces the last good configuration; an unreachable source backs off.
public final class Reconciler: Service, Sendable {
    let source: any ConfigSource
    let target: any ConfigTarget
    let recorder: (any PassRecorder)?
    private let interval: Duration
    let logger: Logger
    let environment: [String: String]
    let drift: DriftMode
    let credentials: (any CredentialProvider)?
    /// Where the manifests' `file:` and `env:` secret references may point.
    let secrets: SecretPolicy
    private let wakeup = Wakeup()
    let state = LockedState()

    public init(
        source: any ConfigSource, target: any ConfigTarget, recorder: (any PassRecorder)?, interval: Duration,
        logger: Logger, drift: DriftMode = .correct, appliedRevision: String? = nil,
        appliedConfiguration: ConfigSnapshot? = nil, credentials: (any CredentialProvider)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        secrets: SecretPolicy = SecretPolicy(directories: ["/run/secrets"], envPrefix: "BELFRY_APP_")
    ) {
        self.secrets = secrets
        self.drift = drift
        self.credentials = credentials
        self.source = source
        self.target = target
        self.recorder = recorder
        self.interval = interval
        self.logger = logger
        self.environment = environment
        state.seed(appliedRevision: appliedRevision, configuration: appliedConfiguration)
    }

    /// Asks for a pass as soon as the current one (if any) ends; repeated calls coalesce.
    public func trigger(_ reason: PassRecord.Trigger = .manual) {
        wakeup.signal(reason)
    }

    /// The number the next pass to start will have. Take it before writing to the source and
    /// give it to `passAfterWrite(since:)`.
    public var nextPassNumber: Int { state.nextPassNumber }

    /// Triggers a pass and waits (at most `timeout`) for it: one that starts after this call, so
    /// it reads what the caller wrote before. Nil when it did not finish in time.
    ///
    /// - Parameter first: `nextPassNumber` taken before the write. A pass that started between
    ///   the write and this call (at its interval) may have applied the write already; the
    ///   triggered pass then finds nothing to do, and the answer is that earlier pass, the one
    ///   that applied it.
    public func passAfterWrite(
        _ reason: PassRecord.Trigger = .manual, since first: Int? = nil, timeout: Duration
    ) async -> PassRecord? {
        let number = state.nextPassNumber
        trigger(reason)
        guard let record = await state.waitForPass(number, timeout: timeout) else { return nil }
        if record.result == .noChange, let first, let applied = state.appliedPass(since: first) {
            return applied
        }
        return record
    }

    /// The newest pass and the last applied revision, for status endpoints.
    public var status: ReconcileStatus { state.status }

    public func run() async throws {
        var reason: PassRecord.Trigger? = .startup
        await withGracefulShutdownHandler {
            while let current = reason, !Task.isCancelled {
                let record = await runPass(trigger: current)
                reason = await wakeup.wait(nextWait(after: record))
            }
        } onGracefulShutdown: {
            // A fetch in progress must not hold the shutdown up (a silent git remote).
            self.wakeup.close()
            self.source.cancel()
        }
    }

    /// The interval with ±10% jitter, or an exponential backoff (up to 5 minutes) after failures.
    private func nextWait(after record: PassRecord) -> Duration {
        let failures = state.status.consecutiveFailures
        var wait = interval
        if record.result == .unreachable || record.result == .failed, failures > 0 {
            wait = min(interval * (1 << min(failures, 6)), .seconds(300))
        }
        let jitter = Double.random(in: 0.9...1.1)
        return wait * jitter
    }
}
