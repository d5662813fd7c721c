import BelfryManifest
import BelfryPlan
import Testing

/// What an apply does to live connections follows the reload table (gitops.md §5).
@Suite struct ConnectionEffectTests {
    private func effect(from old: App?, to new: App?) -> ConnectionEffect.Action? {
        let result = plan(
            current: ([old, dashboard()].compactMap { $0 }, []), desired: ([new, dashboard()].compactMap { $0 }, []))
        return result.effect("chat")
    }

    @Test func createdAppIsLiveAtOnce() {
        #expect(effect(from: nil, to: chat()) == ConnectionEffect.Action.none)
    }

    @Test func disablingClosesWith4003AndKeepsChannels() {
        #expect(effect(from: chat(), to: chat { $0.enabled = false }) == .disabled)
        #expect(
            ConnectionEffect.Action.disabled
                == .closeAll(code: 4003, reason: "Application disabled", dropChannels: false))
    }

    @Test func deletingClosesWith4001AndDropsChannels() {
        #expect(effect(from: chat(), to: nil) == .deleted)
        #expect(
            ConnectionEffect.Action.deleted == .closeAll(code: 4001, reason: "Application deleted", dropChannels: true))
    }

    @Test func deletedAppEffectNamesTheCurrentID() {
        let result = plan(current: ([chat(), dashboard()], []), desired: ([dashboard()], []))
        #expect(result.connectionEffects == [ConnectionEffect(appID: "1001", appName: "chat", action: .deleted)])
    }

    @Test func keyRotationKeepsLiveConnections() {
        #expect(effect(from: chat(), to: chat { $0.key = "chat-key-2" }) == ConnectionEffect.Action.none)
    }

    @Test func secretRotationKeepsLiveConnections() {
        #expect(effect(from: chat(), to: chat { $0.secret = Sensitive.rotatedSecret }) == ConnectionEffect.Action.none)
    }

    @Test func originsAndLimitsApplyFromTheNextHandshake() {
        let new = chat {
            $0.allowedOrigins = ["example.com"]
            $0.limits.maxConnections = 1
        }
        #expect(effect(from: chat(), to: new) == ConnectionEffect.Action.none)
    }

    @Test func reEnablingClosesNothing() {
        #expect(effect(from: chat { $0.enabled = false }, to: chat()) == ConnectionEffect.Action.none)
    }

    @Test func idChangeClosesConnectionsOfTheOldID() {
        let result = plan(current: ([chat()], []), desired: ([chat { $0.id = "2001" }], []))
        #expect(result.connectionEffects == [ConnectionEffect(appID: "1001", appName: "chat", action: .idChanged)])
    }

    @Test func disablingWinsOverAnIDChange() {
        #expect(
            effect(
                from: chat(),
                to: chat {
                    $0.enabled = false; $0.id = "2001"
                }) == .disabled)
    }

    @Test func unchangedAppHasNoEffect() {
        let result = plan(current: ([chat(), dashboard()], []), desired: ([chat(), dashboard { $0.key = "k2" }], []))
        #expect(result.effect("chat") == nil)
        #expect(result.connectionEffects.map(\.appName) == ["dashboard"])
    }
}
