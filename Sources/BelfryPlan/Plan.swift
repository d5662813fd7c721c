import BelfryManifest

/// What the reconciler would do to make the server match git: desired (a git revision) against
/// current (what the server runs). Pure and deterministic: objects ordered by kind, then name.
/// Holds no secrets, so any rendering is safe to log or post.
///
///     let plan = Plan(desired: fromGit, current: server.currentConfiguration, source: source)
///     if let refusal = plan.refusal { print(refusal) } else if plan.hasChanges { apply(plan) }
///     print(plan.renderText())
public struct Plan: Sendable, Equatable {
    /// Every object in either snapshot, `unchanged` ones included.
    public let changes: [ObjectChange]
    /// What applying does to live connections, per created, changed or deleted app.
    public let connectionEffects: [ConnectionEffect]
    /// Users whose status-page sessions end: deleted, or with a new password hash.
    public let endedSessions: [String]
    /// Set when the plan must not be applied; `nil` when it may.
    public let refusal: Refusal?
    /// Where the desired configuration came from.
    public let source: Source?

    /// Compares the snapshots; a later object with an already seen name is ignored, as in `ConfigSnapshot`.
    /// - Parameters:
    ///   - source: shown in the summary; defaults to `desired.revision` when that is not empty.
    ///   - allowEmpty: permits a plan that deletes every App or every User.
    public init(desired: ConfigSnapshot, current: ConfigSnapshot, source: Source? = nil, allowEmpty: Bool = false) {
        var changes: [ObjectChange] = []
        var effects: [ConnectionEffect] = []
        let apps = Self.pairs(current.apps, desired.apps, name: \.name)
        for (name, old, new) in apps {
            changes.append(Self.change(.app, name, old, new, diff: FieldDiff.app))
            if let effect = ConnectionEffect.of(old: old, new: new) { effects.append(effect) }
        }
        let users = Self.pairs(current.users, desired.users, name: \.name)
        for (name, old, new) in users {
            changes.append(Self.change(.user, name, old, new, diff: FieldDiff.user))
        }
        self.changes = changes
        self.connectionEffects = effects
        self.endedSessions = users.compactMap { name, old, new in
            guard let old, old.passwordHash != new?.passwordHash else { return nil }
            return name
        }
        let emptied = ObjectKind.allCases.filter { kind in
            let current = changes.filter { $0.kind == kind && $0.action != .create }
            return !current.isEmpty && current.allSatisfy { $0.action == .delete }
        }
        self.refusal = allowEmpty || emptied.isEmpty ? nil : .deletesEverything(emptied)
        self.source = source ?? (desired.revision.isEmpty ? nil : Source(revision: desired.revision))
    }

    /// How many objects each action touches.
    public struct Counts: Sendable, Equatable {
        /// Objects created.
        public var add = 0
        /// Objects updated in place.
        public var change = 0
        /// Objects deleted.
        public var delete = 0
        /// Objects left as they are (not in the summary line).
        public var unchanged = 0

        /// Counts as given; zero by default.
        public init(add: Int = 0, change: Int = 0, delete: Int = 0, unchanged: Int = 0) {
            self.add = add
            self.change = change
            self.delete = delete
            self.unchanged = unchanged
        }
    }

    /// Objects per action, as the summary and the JSON `counts` report them.
    public var counts: Counts {
        var counts = Counts()
        for change in changes {
            switch change.action {
            case .create: counts.add += 1
            case .update: counts.change += 1
            case .delete: counts.delete += 1
            case .unchanged: counts.unchanged += 1
            }
        }
        return counts
    }

    /// Whether applying would change anything on the server.
    public var hasChanges: Bool { changes.contains { $0.action != .unchanged } }

    /// The objects that change, in plan order.
    public var actionableChanges: [ObjectChange] { changes.filter { $0.action != .unchanged } }

    /// `Plan: 1 to add, 2 to change, 0 to delete.`, then ` Source: main@9f77800 "raise limits" by Alice`.
    public var summary: String {
        let counts = counts
        let line = "Plan: \(counts.add) to add, \(counts.change) to change, \(counts.delete) to delete."
        guard let source else { return line }
        return line + " Source: " + source.description
    }

    /// Objects present in either list, sorted by name, first occurrence wins.
    private static func pairs<T>(_ current: [T], _ desired: [T], name: (T) -> String) -> [(String, T?, T?)] {
        let old = Dictionary(current.map { (name($0), $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(desired.map { (name($0), $0) }, uniquingKeysWith: { first, _ in first })
        return Set(old.keys).union(new.keys).sorted().map { ($0, old[$0], new[$0]) }
    }

    private static func change<T: Equatable>(
        _ kind: ObjectKind, _ name: String, _ old: T?, _ new: T?, diff: (T?, T) -> [FieldChange]
    ) -> ObjectChange {
        guard let new else { return ObjectChange(kind: kind, name: name, action: .delete) }
        let fields = diff(old, new)
        let action: ObjectChange.Action = old == nil ? .create : fields.isEmpty ? .unchanged : .update
        return ObjectChange(kind: kind, name: name, action: action, fields: fields)
    }
}
