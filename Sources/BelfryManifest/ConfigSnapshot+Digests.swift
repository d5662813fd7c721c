extension ConfigSnapshot {
    /// This (desired) configuration as `/internal/v1/state` would report it, so that a plan against
    /// `state` compares like with like: each app's secret and each user's password hash become
    /// their digests. An app without a secret (`""`: the server generates one) takes the digest the
    /// server reports for it, or `(generated)` when it has none yet. A user whose hash `state`
    /// reports empty (a server from before `passwordHashDigest`) keeps an empty hash: hashes then
    /// cannot be compared, and are left out rather than shown as changed for every user.
    public func digested(against state: ConfigSnapshot) -> ConfigSnapshot {
        ConfigSnapshot(
            apps: apps.map { app in
                var app = app
                let reported = state.apps.first { $0.name == app.name }?.secret
                app.secret = app.secret.isEmpty ? (reported ?? "(generated)") : Self.digest(app.secret)
                return app
            },
            users: users.map { user in
                var user = user
                let reported = state.users.first { $0.name == user.name }?.passwordHash
                user.passwordHash = reported == "" ? "" : Self.digest(user.passwordHash)
                return user
            },
            revision: revision)
    }
}
