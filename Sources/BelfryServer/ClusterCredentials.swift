import BelfryManifest

/// The credentials the nodes of a cluster share through Redis, so that every node verifies the
/// same secrets: each app's generated secret (an App without `spec.secret`) and the rotated
/// secrets still in their grace period. Each node keeps a copy in its own database and serves
/// from it; these calls keep the copies in step.
///
/// Every call waits at most about 2 s (for the link, then for the answer) and reports a failure
/// as `ClusterUnavailable`, never by trapping or waiting longer.
public protocol ClusterCredentials: Sendable {
    /// The cluster's generated secret for app `name`: the one agreed before, or `candidate`
    /// (this node's copy, else `fresh`) when no node has offered one yet (the first candidate
    /// wins); `fresh` when the app's secrets were forgotten since (a deleted app's secret never
    /// comes back from a node that has not applied the delete yet).
    func agreedSecret(app name: String, candidate: String, fresh: String) async -> Result<String, ClusterUnavailable>
    /// Replaces the app's generated secret (a rotation).
    func replaceSecret(app name: String, secret: String) async -> Result<Void, ClusterUnavailable>
    /// Forgets the app's generated and retiring secrets (the app was deleted); with `secret`,
    /// only if the cluster's is that one (or none), so a late delete spares an app created again.
    func forgetSecrets(app name: String, ifSecretIs secret: String?) async -> Result<Void, ClusterUnavailable>
    /// Keeps `secret` of app `name` verifying on every node until `until` (seconds since 1970).
    func addRetiringSecret(app name: String, secret: String, until: Int64) async -> Result<Void, ClusterUnavailable>
    /// Every app's retiring secrets still in their grace, by app name.
    func retiringSecrets() async -> Result<[String: [App.RetiringSecret]], ClusterUnavailable>
    /// Tells the other nodes that this one changed the configuration (a write to the source, a
    /// rotation), so they reconcile now instead of at their next interval. Fire and forget.
    func announceConfigurationChange()
}
