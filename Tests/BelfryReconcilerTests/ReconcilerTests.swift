import BelfryManifest
import BelfrySource
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing

@testable import BelfryReconciler

/// The reconcile pass against a fake source and a fake server: what is applied, refused,
/// reported and recorded.
@Suite struct ReconcilerTests {
    static let user = """
        apiVersion: belfry.dev/v1
        kind: User
        metadata: { name: alice }
        spec: { email: alice@example.com, passwordHash: "$2b$12$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P" }

        """

    static func app(enabled: Bool = true, id: String = "1001") -> String {
        """
        apiVersion: belfry.dev/v1
        kind: App
        metadata: { name: chat }
        spec: { id: "\(id)", key: chat-key, secret: { value: s }, enabled: \(enabled) }

        """
    }

    static func revision(_ files: [String: String], id: String, email: String? = nil) -> SourceRevision {
        SourceRevision(
            files: files.map { SourceRevision.File(path: $0.key, text: $0.value) }, revision: id, label: "main@\(id)",
            author: "Alice", authorEmail: email, message: "change", secretsRoot: "/")
    }

    func reconciler(_ source: FakeSource, _ target: FakeTarget, drift: DriftMode = .correct) -> Reconciler {
        Reconciler(
            source: source, target: target, recorder: nil, interval: .seconds(60),
            logger: Logger(label: "test"), drift: drift, appliedRevision: nil, environment: [:])
    }

    @Test func appliesAChangeAndThenReportsNoChange() async {
        let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user], id: "r1"))
        let target = FakeTarget()
        let reconciler = reconciler(source, target)
        #expect(await reconciler.runPass(trigger: .startup).result == .applied)
        #expect(target.current.app(key: "chat-key")?.enabled == true)
        let second = await reconciler.runPass(trigger: .interval)
        #expect(second.result == .noChange)
        #expect(second.planSummary?.hasPrefix("Plan: 0 to add, 0 to change, 0 to delete.") == true)
        #expect(target.applies == 1)
        #expect(reconciler.status.lastAppliedRevision == "r1")
    }

    @Test func invalidRevisionKeepsTheLastGoodOneAndWaitsForANewCommit() async {
        let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user], id: "r1"))
        let target = FakeTarget()
        let reconciler = reconciler(source, target)
        await reconciler.runPass(trigger: .startup)
        source.next = Self.revision(["a.yaml": Self.app(id: "bad id"), "u.yaml": Self.user], id: "r2")
        let pass = await reconciler.runPass(trigger: .interval)
        #expect(pass.result == .invalid)
        #expect(pass.error?.contains("/spec/id") == true)
        #expect(target.current.app(id: "1001") != nil)
        let again = await reconciler.runPass(trigger: .interval)
        #expect(again == pass)  // the same record: nothing new is recorded until a new commit
    }

    @Test func aConfigurationThatCannotBeSavedIsNotAppliedAndIsRetried() async {
        let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user], id: "r1"))
        let target = FakeTarget()
        let recorder = FakeRecorder()
        let reconciler = Reconciler(
            source: source, target: target, recorder: recorder, interval: .seconds(60),
            logger: Logger(label: "test"), environment: [:])
        #expect(await reconciler.runPass(trigger: .startup).result == .applied)
        // The disk fills up; a rotation (here: disabling the app) must not go live unsaved.
        recorder.failing = true
        source.next = Self.revision(["a.yaml": Self.app(enabled: false), "u.yaml": Self.user], id: "r2")
        let failed = await reconciler.runPass(trigger: .interval)
        #expect(failed.result == .failed)
        #expect(failed.error?.contains("not applied") == true)
        #expect(target.current.app(key: "chat-key")?.enabled == true)
        #expect(recorder.saved.last?.1 == "r1")
        #expect(reconciler.status.consecutiveFailures == 1 && reconciler.status.lastAppliedRevision == "r1")
        // Space again: the next pass saves, then applies, so saved == served.
        recorder.failing = false
        #expect(await reconciler.runPass(trigger: .interval).result == .applied)
        #expect(target.current.app(key: "chat-key")?.enabled == false)
        #expect(recorder.saved.last?.1 == "r2" && recorder.saved.last?.0.apps == target.current.apps)
    }

    /// A write through the API waits for a pass that read the source after the write.
    @Test(.timeLimit(.minutes(1))) func passAfterWriteWaitsForAPassThatStartsLater() async throws {
        let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user], id: "r1"))
        let target = FakeTarget()
        let reconciler = reconciler(source, target)
        let loop = Task { try await reconciler.run() }
        defer { loop.cancel() }
        // The startup pass may be running or done; either way the next one reads r2.
        source.next = Self.revision(["a.yaml": Self.app(enabled: false), "u.yaml": Self.user], id: "r2")
        let pass = try #require(await reconciler.passAfterWrite(.manual, timeout: .seconds(30)))
        #expect(pass.revision == "r2")
        #expect(target.current.app(key: "chat-key")?.enabled == false)
        // None comes when nothing triggers one: the wait ends at its timeout with nil.
        let state = reconciler.state
        #expect(await state.waitForPass(state.nextPassNumber + 5, timeout: .milliseconds(50)) == nil)
    }

    /// An interval pass that starts between an API write and its trigger applies the write; the
    /// triggered pass then finds nothing to do, and the write is answered with the pass that
    /// applied it, not with that `noChange`.
    @Test(.timeLimit(.minutes(1))) func passAfterWriteNamesAnIntervalPassThatAppliedTheWrite() async throws {
        let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user], id: "r1"))
        let target = FakeTarget()
        let reconciler = reconciler(source, target)
        let loop = Task { try await reconciler.run() }
        defer { loop.cancel() }
        #expect(await reconciler.state.waitForPass(1, timeout: .seconds(30))?.result == .applied)
        let since = reconciler.nextPassNumber
        source.next = Self.revision(["a.yaml": Self.app(enabled: false), "u.yaml": Self.user], id: "r2")
        #expect(await reconciler.runPass(trigger: .interval).result == .applied)
        let pass = try #require(await reconciler.passAfterWrite(.manual, since: since, timeout: .seconds(30)))
        #expect(pass.result == .applied && pass.revision == "r2" && pass.trigger == .interval)
        // A write that changed nothing is still answered `noChange`.
        let unchanged = reconciler.nextPassNumber
        let again = try #require(await reconciler.passAfterWrite(.manual, since: unchanged, timeout: .seconds(30)))
        #expect(again.result == .noChange)
    }

    @Test func unreachableSourceIsReportedAndCounted() async {
        let source = FakeSource(nil)
        let reconciler = reconciler(source, FakeTarget())
        #expect(await reconciler.runPass(trigger: .interval).result == .unreachable)
        #expect(await reconciler.runPass(trigger: .interval).result == .unreachable)
        #expect(reconciler.status.consecutiveFailures == 2)
    }

    @Test func authorsCannotDeleteTheirOwnUser() async {
        let bob = Self.user.replacingOccurrences(of: "alice", with: "bob")
        let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user, "b.yaml": bob], id: "r1"))
        let target = FakeTarget()
        let reconciler = reconciler(source, target)
        await reconciler.runPass(trigger: .startup)
        source.next = Self.revision(["a.yaml": Self.app(), "b.yaml": bob], id: "r2", email: "Alice@example.com")
        let pass = await reconciler.runPass(trigger: .interval)
        #expect(pass.result == .refused)
        #expect(pass.error?.contains("users cannot delete themselves") == true)
        #expect(target.current.users.count == 2)
    }

    @Test func deletingEveryAppNeedsTheAllowEmptyAnnotation() async {
        let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user], id: "r1"))
        let target = FakeTarget()
        let reconciler = reconciler(source, target)
        await reconciler.runPass(trigger: .startup)
        source.next = Self.revision(["u.yaml": Self.user], id: "r2")
        let refused = await reconciler.runPass(trigger: .interval)
        #expect(refused.result == .refused)
        #expect(target.current.apps.count == 1)
        let allowing = Self.user.replacingOccurrences(
            of: "metadata: { name: alice }",
            with: "metadata: { name: alice, annotations: { belfry.dev/allow-empty: \"true\" } }")
        source.next = Self.revision(["u.yaml": allowing], id: "r3")
        #expect(await reconciler.runPass(trigger: .interval).result == .applied)
        #expect(target.current.apps.isEmpty)
    }

    @Test func driftIsRevertedOrOnlyReported() async {
        for mode in DriftMode.allCases {
            let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user], id: "r1"))
            let target = FakeTarget()
            let reconciler = reconciler(source, target, drift: mode)
            await reconciler.runPass(trigger: .startup)
            var changed = target.current.apps
            changed[0].enabled = false
            target.current = ConfigSnapshot(apps: changed, users: target.current.users, revision: "r1")
            let pass = await reconciler.runPass(trigger: .interval)
            #expect(pass.result == (mode == .correct ? .applied : .drift))
            #expect(target.current.apps[0].enabled == (mode == .correct))
        }
    }

    /// With `--drift warn`, what the same revision means can still change: a secret rotated in
    /// its file or in the database. That is applied; only a server changed outside the source is
    /// drift, and it still is after such an apply.
    @Test func aSecretChangedAtItsSourceIsAppliedUnderDriftWarn() async {
        let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user], id: "r1"))
        let target = FakeTarget()
        let reconciler = reconciler(source, target, drift: .warn)
        #expect(await reconciler.runPass(trigger: .startup).result == .applied)
        // The same revision now resolves to another secret (as a rotated `file:` secret would).
        let rotated = Self.app().replacingOccurrences(of: "value: s", with: "value: s2")
        source.next = Self.revision(["a.yaml": rotated, "u.yaml": Self.user], id: "r1")
        #expect(await reconciler.runPass(trigger: .interval).result == .applied)
        #expect(target.current.app(key: "chat-key")?.secret == "s2")
        // Someone changes the server itself: that is drift, left alone under warn.
        var changed = target.current.apps
        changed[0].enabled = false
        target.current = ConfigSnapshot(apps: changed, users: target.current.users, revision: "r1")
        #expect(await reconciler.runPass(trigger: .interval).result == .drift)
        #expect(target.current.apps[0].enabled == false)
    }

    /// After a restart the server runs the saved configuration; given to the reconciler, a
    /// changed secret at the same revision is applied, not taken for drift.
    @Test func theConfigurationServedAtStartIsWhatDriftIsMeasuredFrom() async {
        let first = FakeTarget()
        let source = FakeSource(Self.revision(["a.yaml": Self.app(), "u.yaml": Self.user], id: "r1"))
        #expect(await reconciler(source, first).runPass(trigger: .startup).result == .applied)
        let saved = first.current
        let restarted = FakeTarget()
        restarted.current = saved
        let reconciler = Reconciler(
            source: source, target: restarted, recorder: nil, interval: .seconds(60), logger: Logger(label: "test"),
            drift: .warn, appliedRevision: "r1", appliedConfiguration: saved, environment: [:])
        let rotated = Self.app().replacingOccurrences(of: "value: s", with: "value: s2")
        source.next = Self.revision(["a.yaml": rotated, "u.yaml": Self.user], id: "r1")
        #expect(await reconciler.runPass(trigger: .startup).result == .applied)
        #expect(restarted.current.app(key: "chat-key")?.secret == "s2")
    }
}

/// A source whose next revision the test sets; nil means unreachable.
final class FakeSource: ConfigSource, @unchecked Sendable {
    // @unchecked Sendable: tests set `next` between passes, never during one.
    var next: SourceRevision?
    let description = "fake"

    init(_ revision: SourceRevision?) { next = revision }

    func fetch() throws(SourceError) -> SourceRevision {
        guard let next else { throw .git("unreachable") }
        return next
    }
}

/// A store stand-in whose saves can be made to fail (a full disk).
final class FakeRecorder: PassRecorder, @unchecked Sendable {
    // @unchecked Sendable: tests flip `failing` between passes, never during one.
    var failing = false
    var saved: [(ConfigSnapshot, String)] = []

    struct DiskFull: Error {}

    func record(_ pass: PassRecord) async {}

    func saveApplied(_ snapshot: ConfigSnapshot, revision: String, label: String) async throws {
        if failing { throw DiskFull() }
        saved.append((snapshot, revision))
    }
}

/// A server stand-in that records what it was given.
final class FakeTarget: ConfigTarget, Sendable {
    private let box = NIOLockedValueBox((ConfigSnapshot.empty, 0))

    var current: ConfigSnapshot {
        get { box.withLockedValue { $0.0 } }
        set { box.withLockedValue { $0.0 = newValue } }
    }

    var applies: Int { box.withLockedValue { $0.1 } }

    var currentConfiguration: ConfigSnapshot { current }

    func applyConfiguration(_ snapshot: ConfigSnapshot) async -> String {
        box.withLockedValue { $0 = (snapshot, $0.1 + 1) }
        return "applied"
    }
}

/// What `/readyz` says about the reconciler.
@Suite struct ReconcileReadinessTests {
    private func status(_ result: PassRecord.Result, startedAt: Double = 1000, error: String? = nil) -> ReconcileStatus
    {
        var record = PassRecord(trigger: .interval, startedAt: startedAt, durationMs: 5, result: result)
        record.label = "main@abc1234"
        record.error = error
        return ReconcileStatus(lastPass: record, lastAppliedRevision: "main@0000001", consecutiveFailures: 0)
    }

    @Test func aRecentGoodPassIsFine() {
        #expect(status(.applied).readinessProblem(now: 1010, interval: 60) == nil)
        #expect(status(.noChange).readinessProblem(now: 1010, interval: 60) == nil)
    }

    @Test func aBrokenSourceIsReportedWithWhatIsServed() {
        #expect(
            status(.unreachable, error: "timeout").readinessProblem(now: 1010, interval: 60)
                == "the source is unreachable: timeout; serving main@0000001")
        #expect(
            status(.invalid).readinessProblem(now: 1010, interval: 60)
                == "revision main@abc1234 is invalid; serving main@0000001")
    }

    @Test func aStuckLoopIsReported() {
        #expect(status(.noChange).readinessProblem(now: 1000 + 481, interval: 60) == "no reconcile pass for 481 s")
        #expect(ReconcileStatus().readinessProblem(now: 1, interval: 60) == "no pass has finished yet")
    }
}
