import BelfryManifest
import BelfryReconciler
import BelfryServer
import BelfryStore
import Foundation
import Logging
import Synchronization

/// The running server as the reconciler's target, in-process.
struct ServerTarget: ConfigTarget {
    let server: PusherServer

    var currentConfiguration: ConfigSnapshot { server.currentConfiguration }

    func applyConfiguration(_ snapshot: ConfigSnapshot) async -> String {
        let effects = server.apply(snapshot)
        return "closed \(effects.closedConnections) connections (deleted apps \(effects.deleted), "
            + "disabled apps \(effects.disabled))"
    }
}

/// Records passes and applied configurations in the SQLite store. A pass record that cannot be
/// written is logged; a configuration that cannot be saved is not applied (the pass fails).
///
/// In a cluster (`cluster` set) it also keeps this node's credentials in step with the others'
/// through Redis (`StoreRecorder+Cluster.swift`).
struct StoreRecorder: PassRecorder {
    let store: Store
    let logger: Logger
    var cluster: (any ClusterCredentials)? = nil

    func record(_ pass: PassRecord) async {
        let started = Date(timeIntervalSince1970: pass.startedAt)
        let entry = ReconcilePass(
            startedAt: started, finishedAt: started.addingTimeInterval(pass.durationMs / 1000),
            trigger: ReconcilePass.Trigger(rawValue: pass.trigger.rawValue) ?? .manual, revision: pass.revision,
            shortRevision: pass.label, author: pass.author, message: pass.message, planSummary: pass.planSummary,
            result: ReconcilePass.Outcome(rawValue: pass.result.rawValue) ?? .failed, error: pass.error)
        // Recorded even when the group is being cancelled (a pass that ran must leave its trace).
        let store = self.store
        do {
            _ = try await Task { try await store.appendPass(entry) }.value
        } catch {
            logger.error("cannot record reconcile pass", metadata: ["error": "\(error)"])
        }
    }

    func saveApplied(_ snapshot: ConfigSnapshot, revision: String, label: String) async throws {
        let forgotten: [String: String]
        do {
            forgotten = try await store.saveApplied(snapshot, revision: revision, source: label)
        } catch {
            logger.error(
                "cannot save the configuration; it is not applied",
                metadata: ["revision": "\(label)", "error": "\(error)"])
            throw error
        }
        // A deleted app's generated secret goes from the cluster too (whichever node applies the
        // deletion first), unless the app was created again since and agreed on a new one. Not
        // awaited: the apply follows this save, and a slow or absent Redis (about 4 s per app)
        // must not hold it up.
        guard let cluster, !forgotten.isEmpty else { return }
        let logger = self.logger
        Task {
            for (app, secret) in forgotten.sorted(by: { $0.key < $1.key }) {
                if case .failure(let problem) = await cluster.forgetSecrets(app: app, ifSecretIs: secret) {
                    logger.warning(
                        "cannot forget a deleted app's generated secret in the cluster; a new app of that name would get it",
                        metadata: ["app": "\(app)", "error": "\(problem.reason)"])
                }
            }
        }
    }
}

extension StoreRecorder: CredentialProvider {
    func generatedSecret(forApp name: String) async -> Result<String, CredentialUnavailable> {
        if let cluster { return await agreedSecret(forApp: name, cluster: cluster) }
        do {
            return .success(try await store.generateIfMissing(app: name))
        } catch {
            logger.error("cannot store a generated secret", metadata: ["app": "\(name)", "error": "\(error)"])
            return .failure(CredentialUnavailable("cannot store the generated secret of app \(name): \(error)"))
        }
    }

    func retiringSecrets() async -> [String: [App.RetiringSecret]] {
        let local: [String: [App.RetiringSecret]]
        do {
            local = try await store.retiringSecrets(now: Int64(Date().timeIntervalSince1970))
        } catch is CancellationError {
            local = [:]  // shutting down (a start that failed, say): the pass is being abandoned
        } catch {
            logger.error("cannot read retiring secrets", metadata: ["error": "\(error)"])
            local = [:]
        }
        guard let cluster else { return local }
        return await merged(local, withRetiringSecretsOf: cluster)
    }
}

/// Lets the git webhook and `/readyz` (wired into the server before the reconciler exists) reach it.
final class ReconcilerHandle: Sendable {
    private let reconciler = Mutex<Reconciler?>(nil)

    func set(_ value: Reconciler) { reconciler.withLock { $0 = value } }

    func trigger(_ reason: PassRecord.Trigger = .webhook) { reconciler.withLock { $0 }?.trigger(reason) }

    /// For `/readyz`: the reconciler's status (empty until it exists).
    var status: ReconcileStatus { reconciler.withLock { $0 }?.status ?? ReconcileStatus() }
}
