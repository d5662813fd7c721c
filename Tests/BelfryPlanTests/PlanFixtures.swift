import BelfryManifest
import BelfryPlan
import BelfryTestSupport

/// Values that must never show up in a rendering.
enum Sensitive {
    static let chatSecret = "chat-secret-9a8b7c"
    static let rotatedSecret = "rotated-secret-1f2e3d"
    static let aliceHash = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"
    static let newAliceHash = "$2b$12$abcdefghijklmnopqrstuuYRZYWsQ1dD2CWsB3VXYI7fVDBNpyD9u"
}

func chat(_ edit: (inout App) -> Void = { _ in }) -> App {
    var app = Fixtures.app(name: "chat", id: "1001", key: "chat-key", secret: Sensitive.chatSecret)
    edit(&app)
    return app
}

func dashboard(_ edit: (inout App) -> Void = { _ in }) -> App {
    var app = Fixtures.app(name: "dashboard", id: "1002", key: "dash-key", secret: "dash-secret", clientEvents: false)
    app.limits.maxConnections = 5000
    edit(&app)
    return app
}

let alice = User(name: "alice", email: "alice@example.com", passwordHash: Sensitive.aliceHash)
let bob = User(
    name: "bob", email: "bob@example.com", passwordHash: "$2b$10$bobbobbobbobbobbobbobuYRZYWsQ1dD2CWsB3VXYI7fVDBNpyD9u")

let mainSource = Plan.Source(
    branch: "main", revision: "9f77800c1d2e3f4a5b6c7d8e9f00112233445566", subject: "raise limits", author: "Alice")

func plan(
    current: ([App], [User]), desired: ([App], [User]), source: Plan.Source? = mainSource, allowEmpty: Bool = false
) -> Plan {
    Plan(
        desired: ConfigSnapshot(apps: desired.0, users: desired.1),
        current: ConfigSnapshot(apps: current.0, users: current.1),
        source: source, allowEmpty: allowEmpty)
}

/// The change for one object, by name.
extension Plan {
    func change(_ kind: ObjectKind, _ name: String) -> ObjectChange? {
        changes.first { $0.kind == kind && $0.name == name }
    }

    func effect(_ appName: String) -> ConnectionEffect.Action? {
        connectionEffects.first { $0.appName == appName }?.action
    }
}
