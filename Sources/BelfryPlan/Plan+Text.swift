extension Plan {
    /// Terminal output in terraform's style: `+` create, `~` update, `-` delete, fields indented,
    /// closing connections flagged with `!`, then the summary (or "No changes.").
    ///
    ///     + App chat
    ///         + spec.id: "1001"
    ///     ~ App dashboard
    ///         ~ spec.limits.maxConnections: 5000 → 10000
    ///     - User bob
    ///
    ///     Plan: 1 to add, 1 to change, 1 to delete. Source: main@9f77800 "raise limits" by Alice
    public func renderText() -> String {
        var lines = bodyLines(updateMarker: "~")
        if !lines.isEmpty { lines.append("") }
        lines.append(hasChanges ? summary : noChangesLine)
        if let refusal { lines.append(refusal.description) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "No changes. The server matches main@9f77800."
    var noChangesLine: String {
        "No changes. The server matches \(source?.reference ?? "the desired configuration")."
    }

    /// One line per changed object, its fields and any connection closes; `updateMarker` lets
    /// Markdown use `!` (highlighted in a `diff` block) where text uses `~`.
    func bodyLines(updateMarker: String) -> [String] {
        var lines: [String] = []
        for change in actionableChanges {
            let marker = Self.marker(change.action, update: updateMarker)
            lines.append("\(marker) \(change.kind.rawValue) \(change.name)")
            for field in change.fields {
                lines.append("    " + Self.line(field, updateMarker: updateMarker))
            }
            if change.kind == .app, let note = closeNote(app: change.name) {
                lines.append("    " + note)
            }
        }
        return lines
    }

    /// `! live connections closed with 4003 (Application disabled)` when the app's effect closes them.
    func closeNote(app name: String) -> String? {
        guard let effect = connectionEffects.first(where: { $0.appName == name }),
            case .closeAll(let code, let reason, _) = effect.action
        else { return nil }
        return "! live connections closed with \(code) (\(reason))"
    }

    private static func marker(_ action: ObjectChange.Action, update: String) -> String {
        switch action {
        case .create: return "+"
        case .update: return update
        case .delete: return "-"
        case .unchanged: return " "
        }
    }

    /// `~ path: old → new`; a masked change shows only `(changed)`; an added or removed field one value.
    private static func line(_ field: FieldChange, updateMarker: String) -> String {
        switch (field.old, field.new) {
        case (.some, let new?) where new.isMasked:
            return "\(updateMarker) \(field.path): \(new.text)"
        case (let old?, let new?): return "\(updateMarker) \(field.path): \(old.text) → \(new.text)"
        case (nil, let new?): return "+ \(field.path): \(new.text)"
        case (let old?, nil): return "- \(field.path): \(old.text)"
        case (nil, nil): return "\(updateMarker) \(field.path)"
        }
    }
}
