import BelfryManifest

/// What the reconciler acts on: the running server in-process, or (later) its internal HTTP API.
/// The reconciler never imports the server; the server conforms through this small protocol.
public protocol ConfigTarget: Sendable {
    /// The configuration being served now.
    var currentConfiguration: ConfigSnapshot { get }
    /// Swaps in a validated configuration; returns a one-line description of the effects.
    func applyConfiguration(_ snapshot: ConfigSnapshot) async -> String
}

/// What to do when the server no longer matches the revision it was given.
public enum DriftMode: String, Sendable, CaseIterable {
    /// Revert to the revision (the default).
    case correct
    /// Report only.
    case warn
}

/// Where passes and applied configurations are recorded (the SQLite store in production).
public protocol PassRecorder: Sendable {
    func record(_ pass: PassRecord) async
    /// Saves the configuration about to be applied; a configuration that cannot be saved is not
    /// applied (a restart would bring back the one before it, a revoked secret included).
    func saveApplied(_ snapshot: ConfigSnapshot, revision: String, label: String) async throws
}

/// One reconcile pass as it is logged, stored and shown.
public struct PassRecord: Sendable, Equatable {
    /// `cluster`: another node changed the configuration through its management API.
    public enum Trigger: String, Sendable { case startup, interval, webhook, manual, cluster }
    public enum Result: String, Sendable {
        /// A change was applied.
        case applied
        /// The server already matches the revision.
        case noChange
        /// The revision does not validate; the last good configuration keeps serving.
        case invalid
        /// The plan is unsafe (deletes everything, an author deletes their own user).
        case refused
        /// The source could not be read; retried with backoff.
        case unreachable
        /// The configuration could not be saved, so it was not applied; retried with backoff.
        case failed
        /// The server differs from the last applied revision (a change made outside git) and the
        /// drift mode is `warn`, so it was reported, not reverted.
        case drift
    }

    public var trigger: Trigger
    public var startedAt: Double
    public var durationMs: Double
    public var revision: String?
    public var label: String?
    public var author: String?
    public var message: String?
    public var planSummary: String?
    public var result: Result
    public var error: String?
}

/// Secrets for apps whose manifest gives none: generated once, kept, never logged.
public protocol CredentialProvider: Sendable {
    /// The app's generated secret, creating it on first use; or why there is none now (the pass
    /// then fails and is retried with backoff, the last good configuration serving meanwhile).
    func generatedSecret(forApp name: String) async -> Result<String, CredentialUnavailable>
    /// Rotated secrets still in their grace period, by app name.
    func retiringSecrets() async -> [String: [App.RetiringSecret]]
}

/// Why an app's generated secret cannot be had now (its database, or a cluster's Redis, did not
/// answer): the text names what failed.
public struct CredentialUnavailable: Error, Sendable, Equatable {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }
}

extension CredentialProvider {
    public func retiringSecrets() async -> [String: [App.RetiringSecret]] { [:] }

    /// Generated secrets for every app of `set` that gives none; the first that cannot be had
    /// fails them all.
    public func generatedSecrets(for set: ManifestSet) async -> Result<[String: String], CredentialUnavailable> {
        var secrets: [String: String] = [:]
        for name in set.appsWithoutSecret {
            switch await generatedSecret(forApp: name) {
            case .success(let secret): secrets[name] = secret
            case .failure(let problem): return .failure(problem)
            }
        }
        return .success(secrets)
    }
}
