import BelfryManifest
import Foundation

/// The configuration the server last applied, as the store gives it back at startup.
public struct AppliedConfig: Sendable {
    /// Apps (secrets resolved) and users, exactly as they were saved.
    public var snapshot: ConfigSnapshot
    /// The source revision that was applied (a commit id, or a directory path).
    public var revision: String
    /// Where the configuration came from, for the status page (`https://…#main`, a path).
    public var source: String
    public var appliedAt: Date

    public init(snapshot: ConfigSnapshot, revision: String, source: String, appliedAt: Date) {
        self.snapshot = snapshot
        self.revision = revision
        self.source = source
        self.appliedAt = appliedAt
    }
}
