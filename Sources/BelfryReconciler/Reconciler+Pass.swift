import BelfryManifest
import BelfryPlan
import BelfrySource
import Foundation
import Logging

extension Reconciler {
    /// Runs one pass now and returns its record (also logged and recorded).
    @discardableResult
    public func runPass(trigger: PassRecord.Trigger) async -> PassRecord {
        state.passStarted()
        let started = Date()
        var record = PassRecord(
            trigger: trigger, startedAt: started.timeIntervalSince1970, durationMs: 0, result: .noChange)
        let revision: SourceRevision
        switch await fetchOffThePool() {
        case .success(let fetched): revision = fetched
        case .failure(let error):
            record.result = .unreachable
            record.error = "\(error)"
            return await finish(record, started: started)
        }
        if trigger == .interval, let last = state.status.lastPass, last.revision == revision.revision,
            last.result == .invalid || last.result == .refused
        {
            // A bad revision waits for a new commit (or a manual trigger); no new record each interval.
            return last
        }
        if let notice = revision.notice {
            logger.warning("source notice", metadata: ["revision": "\(revision.label)", "notice": "\(notice)"])
        }
        record.revision = revision.revision
        record.label = revision.label
        record.author = revision.author
        record.message = revision.message
        let desired: ConfigSnapshot
        let set = revision.manifestSet
        let generated: [String: String]
        switch await credentials?.generatedSecrets(for: set) ?? .success([:]) {
        case .success(let secrets): generated = secrets
        case .failure(let problem):
            // Transient (a database or Redis that did not answer): retried with backoff.
            record.result = .failed
            record.error = problem.reason
            return await finish(record, started: started)
        }
        switch revision.snapshot(environment: environment, generatedSecrets: generated, set: set, secrets: secrets) {
        case .failure(let errors):
            record.result = .invalid
            record.error = errors.description
            return await finish(record, started: started)
        case .success(let snapshot):
            desired = snapshot.withRetiringSecrets(await credentials?.retiringSecrets() ?? [:])
        }
        let current = target.currentConfiguration
        let plan = Plan(
            desired: desired, current: current,
            source: Plan.Source(
                branch: revision.branch, revision: revision.revision, subject: revision.message, author: revision.author
            ),
            allowEmpty: set.allowsEmpty)
        record.planSummary = plan.summary
        let refusal =
            plan.refusal.map { "\($0)" } ?? selfDeletion(revision: revision, desired: desired, current: current)
        if let refusal {
            record.result = .refused
            record.error = "\(refusal)"
            return await finish(record, started: started)
        }
        guard plan.hasChanges else {
            state.setOrigins(Self.origins(of: set))
            return await finish(record, started: started)
        }
        if revision.revision == state.status.lastAppliedRevision, serverChangedSinceApplied(current) {
            // Same revision, and the server is not what it was given: something changed it
            // outside git. (A secret rotated at its file or in the database changes what the
            // revision means, not the server: that is applied, in either mode.)
            logger.warning("drift: the server differs from the applied revision", metadata: ["plan": "\(plan.summary)"])
            if drift == .warn {
                record.result = .drift
                record.error = "the server differs from \(revision.label) (\(plan.summary)); --drift warn leaves it"
                return await finish(record, started: started)
            }
        }
        // Durable before live: the saved configuration is always the served one.
        if let recorder {
            do {
                try await recorder.saveApplied(desired, revision: revision.revision, label: revision.label)
            } catch {
                record.result = .failed
                record.error = "cannot save the configuration, so it was not applied (retried): \(error)"
                return await finish(record, started: started)
            }
        }
        let effects = await target.applyConfiguration(desired)
        state.appliedConfiguration = desired
        state.setOrigins(Self.origins(of: set))
        record.result = .applied
        logger.info(
            "reconcile applied",
            metadata: [
                "revision": "\(revision.label)", "author": "\(revision.author ?? "")", "plan": "\(plan.summary)",
                "changes": "\(plan.actionableChanges.map { "\($0.action.rawValue) \($0.kind.rawValue) \($0.name)" })",
                "effects": "\(effects)",
            ])
        return await finish(record, started: started)
    }

    /// Whether the server differs from what the last applying pass gave it; true when that is
    /// unknown (nothing applied by this process and none given at start).
    private func serverChangedSinceApplied(_ current: ConfigSnapshot) -> Bool {
        guard let applied = state.appliedConfiguration else { return true }
        return Plan(desired: applied, current: current, allowEmpty: true).hasChanges
    }

    /// Reading a source blocks (files, network): do it on a thread of its own, not the
    /// cooperative pool the server's tasks share.
    private func fetchOffThePool() async -> Result<SourceRevision, SourceError> {
        let source = self.source
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { () throws(SourceError) in try source.fetch() })
            }
        }
    }

    /// Where each App and User of a revision is declared: its `metadata.name` line.
    static func origins(of set: ManifestSet) -> [String: String] {
        var origins: [String: String] = [:]
        for app in set.apps {
            let at = app.location(of: "/metadata/name")
            origins["App/\(app.name)"] = "\(at.file):\(at.line)"
        }
        for user in set.users {
            let at = user.location(of: "/metadata/name")
            origins["User/\(user.user.name)"] = "\(at.file):\(at.line)"
        }
        return origins
    }

    /// A commit whose author removes their own User is refused.
    private func selfDeletion(revision: SourceRevision, desired: ConfigSnapshot, current: ConfigSnapshot) -> String? {
        guard let email = revision.authorEmail?.lowercased() else { return nil }
        let before = current.users.contains { $0.email.lowercased() == email }
        let after = desired.users.contains { $0.email.lowercased() == email }
        guard before, !after else { return nil }
        return "the commit's author \(email) removes their own User: users cannot delete themselves"
    }

    private func finish(_ record: PassRecord, started: Date) async -> PassRecord {
        var record = record
        record.durationMs = Date().timeIntervalSince(started) * 1000
        state.update(with: record)
        await recorder?.record(record)
        var metadata: Logger.Metadata = [
            "result": "\(record.result.rawValue)", "trigger": "\(record.trigger.rawValue)",
            "duration_ms": .stringConvertible(Int(record.durationMs)),
        ]
        if let label = record.label { metadata["revision"] = "\(label)" }
        switch record.result {
        case .applied, .noChange: logger.debug("reconcile pass", metadata: metadata)
        case .invalid, .refused, .unreachable, .drift, .failed:
            metadata["error"] = "\(record.error ?? "")"
            logger.warning("reconcile pass did not apply", metadata: metadata)
        }
        return record
    }
}
