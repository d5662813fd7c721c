import BelfryManifest
import BelfryReconciler
import BelfryServer
import BelfryStore
import Logging

/// A clustered node's credentials: the database keeps this node's copy, Redis the cluster's
/// agreement. The node serves from its copy, so a Redis outage never takes a secret away; it
/// never invents one on its own either (that would diverge from the other nodes).
extension StoreRecorder {
    /// This node's generated secret (or a fresh one) offered to the cluster; the agreed one is
    /// kept locally and returned. Without an answer from Redis: this node's secret if it has
    /// one, else a failure naming Redis (the pass fails and is retried).
    func agreedSecret(forApp name: String, cluster: any ClusterCredentials) async
        -> Result<String, CredentialUnavailable>
    {
        let local: String?
        do {
            local = try await store.credential(forApp: name)
        } catch {
            return .failure(CredentialUnavailable("cannot read the generated secret of app \(name): \(error)"))
        }
        let fresh = Store.randomHex(bytes: 16)
        switch await cluster.agreedSecret(app: name, candidate: local ?? fresh, fresh: fresh) {
        case .success(let agreed):
            guard agreed != local else { return .success(agreed) }
            do {
                try await store.storeCredential(app: name, secret: agreed)
            } catch {
                return .failure(CredentialUnavailable("cannot store the generated secret of app \(name): \(error)"))
            }
            if local != nil { logger.notice("generated secret taken from the cluster", metadata: ["app": "\(name)"]) }
            return .success(agreed)
        case .failure(let problem):
            guard let local else {
                return .failure(
                    CredentialUnavailable(
                        "app \(name) has no generated secret on this node yet and the cluster cannot agree on one "
                            + "(\(problem.reason)); retried at the next pass"))
            }
            logger.warning(
                "cannot check the generated secret with the cluster; serving this node's",
                metadata: ["app": "\(name)", "error": "\(problem.reason)"])
            return .success(local)
        }
    }

    /// This node's retiring secrets and the cluster's, one entry per secret (the later `until`);
    /// without an answer from Redis, this node's alone.
    func merged(
        _ local: [String: [App.RetiringSecret]], withRetiringSecretsOf cluster: any ClusterCredentials
    ) async -> [String: [App.RetiringSecret]] {
        switch await cluster.retiringSecrets() {
        case .success(let shared):
            return Self.union(local, shared)
        case .failure(let problem):
            logger.warning(
                "cannot read the cluster's retiring secrets; using this node's",
                metadata: ["error": "\(problem.reason)"])
            return local
        }
    }

    /// Both sets of retiring secrets, by app, each secret once with its later `until`, sorted
    /// by `until` then secret (the same entries always give the same configuration). Pure.
    static func union(
        _ one: [String: [App.RetiringSecret]], _ other: [String: [App.RetiringSecret]]
    ) -> [String: [App.RetiringSecret]] {
        var out: [String: [App.RetiringSecret]] = [:]
        for app in Set(one.keys).union(other.keys) {
            var until: [String: Int64] = [:]
            for entry in (one[app] ?? []) + (other[app] ?? []) {
                until[entry.secret] = max(until[entry.secret] ?? entry.until, entry.until)
            }
            out[app] = until.map { App.RetiringSecret(secret: $0.key, until: $0.value) }.sorted {
                ($0.until, $0.secret) < ($1.until, $1.secret)
            }
        }
        return out
    }
}
