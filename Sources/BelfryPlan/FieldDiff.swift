import BelfryManifest
import PusherProtocol

/// Field-by-field comparison of two specs. Secrets are compared here and only their masks leave.
struct FieldDiff {
    private(set) var changes: [FieldChange] = []

    /// Every field of `new` for a create (`old == nil`), the differing ones for an update.
    static func app(from old: App?, to new: App) -> [FieldChange] {
        var diff = FieldDiff()
        diff.compare("spec.id", old.map { .string($0.id) }, .string(new.id))
        diff.compare("spec.key", old.map { .string($0.key) }, .string(new.key))
        diff.compareSecret("spec.secret", old?.secret, new.secret)
        diff.compare("spec.enabled", old.map { .bool($0.enabled) }, .bool(new.enabled))
        diff.compare("spec.allowedOrigins", old.map { .strings($0.allowedOrigins) }, .strings(new.allowedOrigins))
        diff.compare("spec.clientEvents", old.map { .bool($0.clientEvents) }, .bool(new.clientEvents))
        diff.compare(
            "spec.userAuthentication", old.map { .bool($0.userAuthentication) }, .bool(new.userAuthentication))
        for field in App.Limits.Field.allCases { diff.compareLimit(field, old?.limits, new.limits) }
        diff.compare(
            "spec.limits.disconnectOnAbuse", old.map { .bool($0.limits.disconnectOnAbuse) },
            .bool(new.limits.disconnectOnAbuse))
        diff.compareWebhooks(old?.webhooks ?? [], new.webhooks)
        // A rotation's grace period (kept by the server): shown when one starts or ends.
        let (oldGrace, newGrace) = (old.flatMap(Self.graceEnd), Self.graceEnd(new))
        if oldGrace != nil || newGrace != nil {
            diff.compare(
                "previousSecret.validUntil", old.map { _ in .string(oldGrace ?? "none") }, .string(newGrace ?? "none"))
        }
        return diff.changes
    }

    /// When the last retiring secret of `app` stops verifying (seconds since 1970, UTC as
    /// `1970-01-01T00:00:00Z`), or nil without one.
    static func graceEnd(_ app: App) -> String? {
        guard let until = app.retiringSecrets.map(\.until).max() else { return nil }
        return UTCTime.iso8601(Int(until))
    }

    /// Every field of `new` for a create (`old == nil`), the differing ones for an update.
    static func user(from old: User?, to new: User) -> [FieldChange] {
        var diff = FieldDiff()
        diff.compare("spec.email", old.map { .string($0.email) }, .string(new.email))
        diff.compareSecret("spec.passwordHash", old?.passwordHash, new.passwordHash)
        diff.compareTokens(old?.apiTokens ?? [], new.apiTokens)
        return diff.changes
    }

    /// API tokens by name: one added or removed is `spec.apiTokens.<name>` set or unset, one whose
    /// digest changed (the token was replaced) is changed. Digests are never shown.
    private mutating func compareTokens(_ old: [APIToken], _ new: [APIToken]) {
        let names = (old.map(\.name) + new.map(\.name)).reduce(into: [String]()) { names, name in
            if !names.contains(name) { names.append(name) }
        }
        for name in names {
            let before = old.first { $0.name == name }?.sha256
            let after = new.first { $0.name == name }?.sha256
            compareSecret("spec.apiTokens." + name, before, after)
        }
    }

    /// `spec.limits.<name>`; an absent limit is `.unlimited`.
    private mutating func compareLimit(_ field: App.Limits.Field, _ old: App.Limits?, _ new: App.Limits) {
        func value(_ limits: App.Limits) -> FieldValue { limits[field].map(FieldValue.int) ?? .unlimited }
        compare("spec.limits." + field.rawValue, old.map(value), value(new))
    }

    private mutating func compare(_ path: String, _ old: FieldValue?, _ new: FieldValue?) {
        if old != new { changes.append(FieldChange(path: path, old: old, new: new)) }
    }

    /// Records only that a secret is set or changed; neither value is kept.
    private mutating func compareSecret(_ path: String, _ old: String?, _ new: String?) {
        switch (old, new) {
        case (nil, .some): changes.append(FieldChange(path: path, old: nil, new: .masked(.set)))
        case (.some, nil): changes.append(FieldChange(path: path, old: .masked(.set), new: nil))
        case (let old?, let new?) where old != new:
            changes.append(FieldChange(path: path, old: .masked(.set), new: .masked(.changed)))
        default: break
        }
    }

    /// Webhooks by position: a pair compares `url` and `events`; an unpaired one is added or removed whole.
    private mutating func compareWebhooks(_ old: [App.Webhook], _ new: [App.Webhook]) {
        for index in 0..<max(old.count, new.count) {
            let before = index < old.count ? old[index] : nil
            let after = index < new.count ? new[index] : nil
            let path = "spec.webhooks[\(index)]"
            if let before, let after {
                compare(path + ".url", .string(before.url), .string(after.url))
                compare(path + ".events", .strings(before.events), .strings(after.events))
                compare(
                    path + ".filter.channelPrefix", before.filter.channelPrefix.map { .string($0) },
                    after.filter.channelPrefix.map { .string($0) })
                compare(
                    path + ".filter.channelSuffix", before.filter.channelSuffix.map { .string($0) },
                    after.filter.channelSuffix.map { .string($0) })
                compare(path + ".batch", .bool(before.batch), .bool(after.batch))
                // Header values may be credentials (Authorization): shown masked, like secrets.
                for name in Set(before.headers.map(\.name) + after.headers.map(\.name)).sorted() {
                    let old = before.headers.first { $0.name == name }?.value
                    let new = after.headers.first { $0.name == name }?.value
                    compareSecret(path + ".headers." + name, old, new)
                }
            } else {
                compare(path, before.map(Self.webhook), after.map(Self.webhook))
            }
        }
    }

    private static func webhook(_ hook: App.Webhook) -> FieldValue { .webhook(url: hook.url, events: hook.events) }
}
