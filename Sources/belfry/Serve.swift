import ArgumentParser
import BelfryManifest
import BelfryReconciler
import BelfryServer
import BelfrySource
import BelfryStore
import Foundation
import Logging
import ServiceLifecycle

/// `belfry serve`: loads the manifests and runs the server until SIGTERM/SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server on the manifests in SRC.",
        discussion: """
            Example: belfry serve --source examples/config --port 6001
            WebSocket clients connect to ws://HOST:PORT/app/{key}; the Pusher HTTP API is on the same port.
            SIGTERM or SIGINT drains: /readyz turns 503, clients are closed with 4200, then the process exits.
            """)

    @Option(help: "Manifest source: a directory of YAML manifests. (env BELFRY_SOURCE)")
    var source: String?
    @Option(help: "Subdirectory of the source holding the manifests. (env BELFRY_PATH)")
    var path: String?
    @Option(help: "Address to listen on. (env BELFRY_HOST)")
    var host: String?
    @Option(help: "Public port: WebSocket and HTTP API. (env BELFRY_PORT)")
    var port: Int?
    @Option(help: "Address of the admin port (default 127.0.0.1). (env BELFRY_ADMIN_HOST)")
    var adminHost: String?
    @Option(help: "Admin port: /api/v1/reconcile, /internal/v1/… (default 9601). (env BELFRY_ADMIN_PORT)")
    var adminPort: Int?
    @Option(
        help:
            "Bearer token of /internal/v1/…; default: generated once into DATA_DIR/admin-token. (env BELFRY_ADMIN_TOKEN)"
    )
    var adminToken: String?
    @Option(help: "State directory, created if missing (default .belfry). (env BELFRY_DATA_DIR)")
    var dataDir: String?
    @Option(help: "Seconds between statistics flushes to the database (default 5). (env BELFRY_STATS_INTERVAL)")
    var statsInterval: Int?
    @Option(help: "Changes made outside the source: correct (revert, default) or warn. (env BELFRY_DRIFT)")
    var drift: String?
    @Option(
        help: "Secret of POST /hooks/git (GitHub, GitLab or generic HMAC); unset: disabled. (env BELFRY_WEBHOOK_SECRET)"
    )
    var webhookSecret: String?
    @Option(help: "Git branch of a git source (default main). (env BELFRY_BRANCH)")
    var branch: String?
    @Option(help: "File holding an https token for a git source (or set BELFRY_GIT_TOKEN).")
    var gitTokenFile: String?
    @Option(help: "Private key for an ssh:// git source; needs --git-known-hosts.")
    var gitSshKey: String?
    @Option(help: "known_hosts file with the ssh git server's host keys.")
    var gitKnownHosts: String?
    @Option(help: "Seconds between reconcile passes (default 60): changes in SRC apply live. (env BELFRY_INTERVAL)")
    var interval: Int?
    @Option(help: "Redis URL for multi-node fan-out (not supported yet). (env BELFRY_REDIS_URL)")
    var redisUrl: String?
    @Option(
        help:
            "Seconds without client frames before the server pings; sent as activity_timeout. (env BELFRY_ACTIVITY_TIMEOUT)"
    )
    var activityTimeout: Int?
    @Option(
        help: "Seconds to wait for an answer to the server's ping before closing with 4201. (env BELFRY_PONG_TIMEOUT)")
    var pongTimeout: Int?
    @Option(
        help:
            "Seconds a connection of a userAuthentication app has to sign in before 4009. (env BELFRY_USER_AUTH_TIMEOUT)"
    )
    var userAuthTimeout: Int?
    @Option(help: "Seconds a cache channel keeps its last event. (env BELFRY_CACHE_TTL)")
    var cacheTtl: Int?
    @Option(help: "Seconds a graceful shutdown waits for connections to close. (env BELFRY_SHUTDOWN_GRACE)")
    var shutdownGrace: Double?
    @Option(help: "Event-loop threads; 0 = one per core. (env BELFRY_THREADS)")
    var threads: Int?
    @Option(help: "Log format: text or json. (env BELFRY_LOG_FORMAT)")
    var logFormat: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error. (env BELFRY_LOG_LEVEL)")
    var logLevel: String?

    func run() async throws {
        let settings = try resolve()
        LoggingSystem.bootstrap { label in
            LogFormat.handler(label: label, format: settings.logFormat, level: settings.logLevel)
        }
        let logger = Logger(label: "belfry")
        let store: Store
        do {
            store = try Store.open(path: settings.dataDirectory + "/belfry.sqlite")
        } catch {
            throw CommandFailure("cannot open the state database in \(settings.dataDirectory): \(error)")
        }
        let source: any ConfigSource
        if let git = settings.git {
            do {
                source = try GitSource(
                    url: git.url, branch: git.branch, subpath: git.subpath, credentials: git.credentials,
                    mirrorDirectory: git.mirrorDirectory,
                    secretsRoot: FileManager.default.currentDirectoryPath)
            } catch {
                throw CommandFailure("\(error)")
            }
        } else {
            source = DirectorySource(path: settings.sourcePath)
        }
        let initial = try await initialConfiguration(source: source, store: store, logger: logger)
        var options = settings.server
        let health = DatabaseHealth()
        do {
            try await store.setMetaValue(ISO8601DateFormatter().string(from: Date()), forKey: "startedAt")
        } catch {
            health.set("cannot write to the database: \(error)")
        }
        options.readinessChecks = [("database", { health.current })]
        let hookTarget = ReconcilerHandle()
        if let secret = settings.webhookSecret {
            options.gitHook = .init(secret: secret) { provider in
                logger.info("git webhook", metadata: ["provider": "\(provider)"])
                hookTarget.trigger()
            }
        }
        let server = PusherServer(options: options, store: ConfigStore(initial), logger: logger)
        let recorder = StoreRecorder(store: store, logger: logger)
        let reconciler = Reconciler(
            source: source, target: ServerTarget(server: server), recorder: recorder,
            interval: .seconds(settings.interval), logger: logger, drift: settings.drift,
            appliedRevision: initial.revision, credentials: recorder)
        hookTarget.set(reconciler)
        let token = try await adminToken(settings: settings, store: store)
        let routes = AdminRoutes(server: server, reconciler: reconciler, store: store, token: token)
        let admin = AdminServer(host: settings.adminHost, port: settings.adminPort, logger: logger) {
            await routes.handle($0)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: server), .init(service: reconciler), .init(service: admin),
                    .init(
                        service: StatsFlusher(
                            server: server, store: store, interval: .seconds(settings.statsInterval), logger: logger,
                            health: health)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

extension Serve {
    /// The configuration to start with: the source's if it is readable and valid, else the last
    /// applied one from the database (a restart keeps serving while the source is broken or
    /// away), else a one-line-per-problem error and exit 1.
    func initialConfiguration(source: any ConfigSource, store: Store, logger: Logger) async throws -> ConfigSnapshot {
        let problem: String
        do {
            let revision = try source.fetch()
            let set = revision.manifestSet
            let generated = await StoreRecorder(store: store, logger: logger).generatedSecrets(for: set)
            switch revision.snapshot(generatedSecrets: generated, set: set) {
            case .success(let snapshot):
                try? await store.saveApplied(snapshot, revision: revision.revision, source: revision.label)
                logger.info(
                    "configuration loaded",
                    metadata: [
                        "revision": "\(revision.label)", "apps": "\(snapshot.apps.count)",
                        "users": "\(snapshot.users.count)",
                    ])
                return snapshot
            case .failure(let errors): problem = errors.description
            }
        } catch {
            problem = error.description
        }
        if let last = try? await store.lastApplied() {
            logger.warning(
                "source unusable; serving the last applied configuration",
                metadata: ["revision": "\(last.revision)", "error": "\(problem)"])
            return last.snapshot
        }
        FileHandle.standardError.write(
            Data("belfry: the configuration in \(source.description) is invalid:\n\(problem)\n".utf8))
        throw ExitCode(1)
    }
}

extension Serve {
    /// The internal API's bearer token: the flag's, or one generated once, kept in the database
    /// and written to `DATA_DIR/admin-token` (mode 0600) for `belfry reconcile --token`.
    func adminToken(settings: ServeSettings, store: Store) async throws -> String {
        if let token = settings.adminToken { return token }
        let token = try await store.token()
        let path = settings.dataDirectory + "/admin-token"
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CommandFailure("cannot write \(path)")
        }
        return token
    }
}
