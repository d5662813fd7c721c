/// The kinds of manifest the plan compares; the raw value is the manifest's `kind`.
public enum ObjectKind: String, Sendable, Equatable, Comparable, CaseIterable {
    case app = "App"
    case user = "User"

    /// Apps sort before Users, so every rendering lists them in the same order.
    public static func < (lhs: ObjectKind, rhs: ObjectKind) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .app: return 0
        case .user: return 1
        }
    }
}

/// What the plan does to one object, identified by kind and `metadata.name`.
public struct ObjectChange: Sendable, Equatable {
    /// The four outcomes of comparing desired with current; raw values are the JSON `action`.
    public enum Action: String, Sendable, Equatable {
        case create
        case update
        case delete
        case unchanged
    }

    /// App or User; with `name`, the identity.
    public let kind: ObjectKind
    /// `metadata.name`.
    public let name: String
    /// What applying does to the object.
    public let action: Action
    /// Every spec field for a create, the changed ones for an update, none for a delete or no-op.
    public let fields: [FieldChange]

    /// A change; `fields` are already masked (see `FieldValue.masked`).
    public init(kind: ObjectKind, name: String, action: Action, fields: [FieldChange] = []) {
        self.kind = kind
        self.name = name
        self.action = action
        self.fields = fields
    }
}
