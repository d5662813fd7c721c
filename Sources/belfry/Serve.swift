import ArgumentParser
import BelfryCluster
import BelfryManifest
import BelfryReconciler
import BelfryServer
import BelfrySource
import BelfryStatus
import BelfryStore
import BelfryWebhooks
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

    @Option(
        help:
            "Manifest source: a directory, a local git repository, or a git URL (file://, https://, ssh://). (env BELFRY_SOURCE)"
    )
    var source: String?
    @Option(help: "Subdirectory of the source holding the manifests. (env BELFRY_PATH)")
    var path: String?
    @Option(help: "Address to listen on. (env BELFRY_HOST)")
    var host: String?
    @Option(help: "Public port: WebSocket and HTTP API. (env BELFRY_PORT)")
    var port: Int?
    @Option(help: "Address of the admin port (default 127.0.0.1). (env BELFRY_ADMIN_HOST)")
    var adminHost: String?
    @Option(
        help:
            "Admin port (default 9601): the status page at / (sign in as a User of the manifests); /healthz, /readyz, /metrics open; /api/v1/… with a session or the admin token; /internal/v1/… with the admin token. (env BELFRY_ADMIN_PORT)"
    )
    var adminPort: Int?
    @Option(
        help:
            "Bearer token of /internal/v1/… and /api/v1/…; default: generated once into DATA_DIR/admin-token. (env BELFRY_ADMIN_TOKEN)"
    )
    var adminToken: String?
    @Option(help: "State directory, created if missing (default .belfry). (env BELFRY_DATA_DIR)")
    var dataDir: String?
    @Option(
        help:
            "Seconds between statistics flushes to the database (default 5); a flush with nothing new waits for the next, at most a minute. (env BELFRY_STATS_INTERVAL)"
    )
    var statsInterval: Int?
    @Option(help: "Changes made outside the source: correct (revert, default) or warn. (env BELFRY_DRIFT)")
    var drift: String?
    @Option(
        help: "Secret of POST /hooks/git (GitHub, GitLab or generic HMAC); unset: disabled. (env BELFRY_WEBHOOK_SECRET)"
    )
    var webhookSecret: String?
    @Option(help: "Git branch of a git source (default main). (env BELFRY_BRANCH)")
    var branch: String?
    @Option(
        help:
            "Branch the management API pushes its commits to, for review in a pull request (default: the served branch). (env BELFRY_WRITE_BRANCH)"
    )
    var writeBranch: String?
    @Option(help: "File holding an https token for a git source (or set BELFRY_GIT_TOKEN).")
    var gitTokenFile: String?
    @Option(help: "Private key for an ssh:// git source; needs --git-known-hosts.")
    var gitSshKey: String?
    @Option(help: "known_hosts file with the ssh git server's host keys.")
    var gitKnownHosts: String?
    @Option(help: "Seconds between reconcile passes (default 60): changes in SRC apply live. (env BELFRY_INTERVAL)")
    var interval: Int?
    @Option(
        help:
            "Join a cluster through Redis: redis://[user:pass@]host:port[/db] or rediss:// (TLS). Nodes with the same Redis and prefix act as one server. (env BELFRY_REDIS_URL)"
    )
    var redisUrl: String?
    @Option(
        help:
            "Namespace of every Redis key and channel, so deployments can share a Redis (default belfry). (env BELFRY_REDIS_PREFIX)"
    )
    var redisPrefix: String?
    @Option(
        help:
            "For a rediss:// URL: PEM file of the certificate authorities that sign Redis's certificate (a private CA); default: the system's. (env BELFRY_REDIS_CA_FILE)"
    )
    var redisCaFile: String?
    @Option(
        help:
            "Messages from other nodes that may wait on this node's event loops; past it the node stops reading the cluster bus (Redis keeps the rest) until they are down to half (default 256). (env BELFRY_REDIS_BUS_QUEUE)"
    )
    var redisBusQueue: Int?
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
    @Option(
        help:
            "Bytes a client that does not read may have waiting beyond its socket's 64 KiB before it is closed with 4100 (default 1048576, 1 MiB; 65536 to 1073741824). (env BELFRY_MAX_OUTBOUND_BACKLOG)"
    )
    var maxOutboundBacklog: Int?
    @Option(help: "Seconds a graceful shutdown waits for connections to close. (env BELFRY_SHUTDOWN_GRACE)")
    var shutdownGrace: Double?
    @Option(help: "Event-loop threads; 0 = one per core. (env BELFRY_THREADS)")
    var threads: Int?
    @Option(
        help:
            "What serves the public port: auto (the default: epoll when --host is an IPv4 address, else nio), epoll (Belfry's own epoll loops, IPv4 only) or nio (SwiftNIO channels). (env BELFRY_ENGINE)"
    )
    var engine: String?
    @Option(help: "Seconds one git fetch may take before it is killed (default 60). (env BELFRY_GIT_TIMEOUT)")
    var gitTimeout: Int?
    @Option(
        help: ArgumentHelp(
            "Host names the admin port answers to besides IP addresses and localhost (DNS rebinding defence). (env BELFRY_ADMIN_ALLOWED_HOSTS, comma-separated)",
            valueName: "name"))
    var adminAllowedHosts: [String] = []
    @Option(help: "Bearer token that /metrics then requires (default: /metrics is open). (env BELFRY_METRICS_TOKEN)")
    var metricsToken: String?
    @Option(help: "File holding the /metrics bearer token. (env BELFRY_METRICS_TOKEN_FILE)")
    var metricsTokenFile: String?
    @Option(help: "PEM certificate chain: the admin port serves HTTPS. (env BELFRY_ADMIN_TLS_CERT)")
    var adminTlsCert: String?
    @Option(help: "PEM private key of --admin-tls-cert. (env BELFRY_ADMIN_TLS_KEY)")
    var adminTlsKey: String?
    @Flag(
        help:
            "Start although the database was deleted or replaced: apps with generated secrets get new ones (clients must be updated)."
    )
    var regenerateCredentials = false
    @Flag(help: "Replace the admin token with a new one (DATA_DIR/admin-token is rewritten).")
    var rotateAdminToken = false
    @OptionGroup var secrets: SecretOptions
    @Option(help: "Log format: text or json. (env BELFRY_LOG_FORMAT)")
    var logFormat: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error. (env BELFRY_LOG_LEVEL)")
    var logLevel: String?

    func run() async throws {
        // Files and directories this process creates (the data dir, database, tokens, the git
        // mirror) are never readable by others, not even between create and chmod.
        umask(0o077)
        let settings = try resolve()
        LoggingSystem.bootstrap { label in
            LogFormat.handler(label: label, format: settings.logFormat, level: settings.logLevel)
        }
        defer { LogOutput.standardError.flushAll() }
        let logger = Logger(label: "belfry")
        try DataDirectory.secure(settings.dataDirectory, logger: logger)
        let databasePath = settings.dataDirectory + "/" + Store.fileName
        let store: Store
        do {
            store = try Store.open(path: databasePath)
        } catch {
            throw CommandFailure("cannot open the state database in \(settings.dataDirectory): \(error)")
        }
        try await DataDirectory.checkIdentity(
            store: store, directory: settings.dataDirectory, regenerate: settings.regenerateCredentials,
            logger: logger)
        let source = try makeSource(settings)
        let initial = try await initialConfiguration(
            source: source, store: store, dataDirectory: settings.dataDirectory, logger: logger)
        var options = settings.server
        let health = DatabaseHealth()
        let databaseFile = DatabaseFileWatch(path: databasePath, logger: logger)
        do {
            try await store.setMetaValue(ISO8601DateFormatter().string(from: Date()), forKey: "startedAt")
        } catch {
            health.setStartupProblem("cannot write to the database: \(error)")
        }
        let hookTarget = ReconcilerHandle()
        // Webhook events go from the server's event loops into a bounded buffer; the delivery
        // service writes them to the outbox and sends them.
        let webhookBuffer = WebhookBuffer()
        let webhookMonitor = WebhookMonitor()
        options.webhookSink = webhookBuffer
        options.readinessChecks = ReadinessChecks.make(
            reconciler: hookTarget, interval: settings.interval, database: databaseFile, health: health,
            statsInterval: settings.statsInterval, source: source.description, webhooks: webhookMonitor)
        if let secret = settings.webhookSecret {
            options.gitHook = .init(secret: secret) { provider in
                logger.info("git webhook", metadata: ["provider": "\(provider)"])
                hookTarget.trigger()
            }
        }
        let cluster = settings.redis.map { url in
            var node = ClusterNode.Settings(
                url: url, prefix: settings.redisPrefix, address: "\(options.host):\(options.port)",
                version: Belfry.version)
            node.cacheTTLMs = options.cacheTTL * 1000
            node.maxCacheEntriesPerApp = options.maxCacheEntriesPerApp
            node.maxBusMessagesQueued = settings.redisBusQueue
            return ClusterNode(settings: node, logger: logger)
        }
        options.cluster = cluster
        let server: PusherServer
        do {
            server = try PusherServer(options: options, store: ConfigStore(initial.snapshot), logger: logger)
        } catch {
            throw CommandFailure("cannot start the server's event loops: \(error)")
        }
        cluster?.attach(server)
        // Another node wrote to the source (its management API): read it now.
        cluster?.onConfigurationChange { hookTarget.trigger(.cluster) }
        let webhooks = WebhookDelivery(buffer: webhookBuffer, store: store, logger: logger, monitor: webhookMonitor) {
            server.currentConfiguration
        }
        let recorder = StoreRecorder(store: store, logger: logger, cluster: cluster)
        let reconciler = Reconciler(
            source: source, target: ServerTarget(server: server), recorder: recorder,
            interval: .seconds(settings.interval), logger: logger, drift: settings.drift,
            appliedRevision: initial.revision, appliedConfiguration: initial.revision.map { _ in initial.snapshot },
            credentials: recorder,
            secrets: secrets.policy(dataDirectory: settings.dataDirectory))
        hookTarget.set(reconciler)
        let token = try await adminToken(settings: settings, store: store, logger: logger)
        let sessions = try await statusSessions(settings: settings, store: store, server: server, logger: logger)
        let rates = LiveRates()
        let status = StatusRoutes(
            server: server, reconciler: reconciler, store: store, sessions: sessions, rates: rates,
            probe: ServerProbe(), webhooks: webhookMonitor, cluster: cluster,
            startedAt: Date(), source: source.description, drift: settings.drift.rawValue)
        var routes = AdminRoutes(
            server: server, reconciler: reconciler, store: store, webhooks: webhookMonitor, cluster: cluster,
            status: status)
        let writer: any ManifestWriter
        if let git = settings.git {
            writer = GitWriter(
                writer: Self.gitWriter(
                    git, repository: settings.dataDirectory + "/git/write", timeout: settings.gitTimeout),
                subpath: git.subpath, targetBranch: settings.writeBranch)
        } else {
            writer = DirectoryWriter(directory: DirectorySource(path: settings.sourcePath), source: source)
        }
        routes.management = ManagementAPI(
            server: server, reconciler: reconciler, store: store, source: source, writer: writer,
            secrets: secrets.policy(dataDirectory: settings.dataDirectory), cluster: cluster, logger: logger)
        let adminRoutes = routes
        let admin: AdminServer
        do {
            admin = try AdminServer(
                host: settings.adminHost, port: settings.adminPort, logger: logger,
                access: AdminAccess(
                    allowedHosts: settings.adminAllowedHosts, adminToken: token, metricsToken: settings.metricsToken),
                sessions: sessions, users: { server.currentConfiguration.users }, tls: settings.adminTLS
            ) { await adminRoutes.handle($0) }
        } catch {
            throw CommandFailure("--admin-tls-cert/--admin-tls-key: cannot load them: \(error)")
        }
        // Services shut down in reverse order, each after the one behind it has returned: the
        // flusher comes first so it stops last, and its final flush sees the drain's 4200s; the
        // webhook delivery stops after the server, so the drain's events reach the outbox.
        // Stopped in reverse order: the reconciler, then the server drains (the admin port still
        // answers meanwhile: its /readyz says 503 draining, the status page and /metrics stay),
        // then the admin port closes, the cluster writes the last shares and leaves, and the
        // webhook outbox takes what is left.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: StatsFlusher(
                    server: server, store: store, interval: .seconds(settings.statsInterval), logger: logger,
                    health: health, rates: rates, webhooks: webhookMonitor)),
            .init(service: webhooks),
        ]
        if let cluster { services.append(.init(service: cluster)) }
        services += [.init(service: admin), .init(service: server), .init(service: reconciler)]
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    /// A directory source, or a git source fetched by a child process with a deadline.
    private func makeSource(_ settings: ServeSettings) throws -> any ConfigSource {
        guard let git = settings.git else { return DirectorySource(path: settings.sourcePath) }
        return Self.gitSource(git, timeout: settings.gitTimeout)
    }

    /// A git source whose fetches run in a `belfry git-fetch` child process, killed after
    /// `timeout` seconds (libgit2 has no network timeout); `reconcile` uses it too.
    static func gitSource(_ git: GitSettings, timeout: Int) -> IsolatedGitSource {
        let (arguments, environment) = childProcess(
            [
                "git-fetch", "--url", git.url, "--branch", git.branch, "--path", git.subpath, "--mirror",
                git.mirrorDirectory, "--secrets-root", FileManager.default.currentDirectoryPath,
            ], git)
        return IsolatedGitSource(
            description: "\(GitSource.redacted(git.url))#\(git.branch)"
                + (git.subpath.isEmpty ? "" : ":\(git.subpath)"),
            executable: Self.executablePath, arguments: arguments, environment: environment,
            timeout: .seconds(timeout))
    }

    /// A git child process's arguments and environment: the process's environment without
    /// Belfry's own settings (the admin token, app secrets), plus the git credentials it needs
    /// (a token in the environment, never in arguments).
    static func childProcess(_ arguments: [String], _ git: GitSettings) -> ([String], [String: String]) {
        var arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BELFRY_") }
        switch git.credentials {
        case .none: break
        case .token(let token, let username):
            environment["BELFRY_GIT_TOKEN"] = token
            environment["BELFRY_GIT_USERNAME"] = username
        case .sshKey:
            arguments += ["--git-ssh-key", git.sshKey ?? "", "--git-known-hosts", git.knownHostsFile ?? ""]
        }
        return (arguments, environment)
    }

    /// This binary, for the `git-fetch` child process.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
    }
}

extension Serve {
    /// The configuration to start with, and its revision.
    ///
    /// A last applied configuration in the database is served at once, before the source is
    /// read: a slow or silent git remote never delays start-up, and the reconciler's first pass
    /// brings the source's changes. Without one, the source is read now (a git fetch is bounded
    /// by `--git-timeout`); an invalid or unreachable source is a one-line-per-problem error and
    /// exit 1.
    func initialConfiguration(
        source: any ConfigSource, store: Store, dataDirectory: String, logger: Logger
    ) async throws -> (snapshot: ConfigSnapshot, revision: String?) {
        if let last = try? await store.lastApplied() {
            logger.info(
                "serving the last applied configuration; the reconciler reads the source now",
                metadata: ["revision": "\(last.revision)", "apps": "\(last.snapshot.apps.count)"])
            let retiring = await StoreRecorder(store: store, logger: logger).retiringSecrets()
            return (last.snapshot.withRetiringSecrets(retiring), last.revision)
        }
        let problem: String
        do {
            let revision = try await Task.detached { () throws(SourceError) -> SourceRevision in
                try source.fetch()
            }.value
            let set = revision.manifestSet
            // Alone even in a cluster (the node has not joined yet): the first pass agrees with
            // the other nodes and replaces a secret generated here if one of them had one first.
            let generated: [String: String]
            switch await StoreRecorder(store: store, logger: logger).generatedSecrets(for: set) {
            case .success(let secrets): generated = secrets
            case .failure(let problem): throw CommandFailure(problem.reason)
            }
            switch revision.snapshot(
                generatedSecrets: generated, set: set, secrets: secrets.policy(dataDirectory: dataDirectory))
            {
            case .success(let loaded):
                let snapshot = loaded.withRetiringSecrets(
                    await StoreRecorder(store: store, logger: logger).retiringSecrets())
                do {
                    try await store.saveApplied(snapshot, revision: revision.revision, source: revision.label)
                } catch {
                    logger.error(
                        "cannot save the configuration; serving it, the reconciler retries the save",
                        metadata: ["error": "\(error)"])
                    return (snapshot, nil)
                }
                logger.info(
                    "configuration loaded",
                    metadata: [
                        "revision": "\(revision.label)", "apps": "\(snapshot.apps.count)",
                        "users": "\(snapshot.users.count)",
                    ])
                return (snapshot, revision.revision)
            case .failure(let errors): problem = errors.description
            }
        } catch let error as SourceError {
            problem = error.description
        }
        FileHandle.standardError.write(
            Data("belfry: the configuration in \(source.description) is invalid:\n\(problem)\n".utf8))
        throw ExitCode(1)
    }
}

extension Serve {
    /// The status page's sessions: the key from `DATA_DIR/session-key` (made once), the logouts
    /// from the database, the users from the applied configuration at each request.
    func statusSessions(settings: ServeSettings, store: Store, server: PusherServer, logger: Logger) async throws
        -> StatusSessions
    {
        let key: [UInt8]
        let revoked: [String: Date]
        do {
            key = try StatusSessions.key(dataDirectory: settings.dataDirectory)
            revoked = try await store.revokedSessions()
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("cannot set up status page sessions in \(settings.dataDirectory): \(error)")
        }
        return StatusSessions(key: key, revoked: revoked, store: store, logger: logger) {
            server.currentConfiguration.users
        }
    }

    /// The internal API's bearer token: the flag's, or the one kept in the database, written
    /// once to `DATA_DIR/admin-token` (created 0600, never rewritten) for `belfry reconcile
    /// --token-file`. `--rotate-admin-token` replaces both.
    func adminToken(settings: ServeSettings, store: Store, logger: Logger) async throws -> String {
        if let token = settings.adminToken { return token }
        let path = settings.dataDirectory + "/admin-token"
        if settings.rotateAdminToken {
            let token = Store.randomHex(bytes: 32)
            do {
                try PrivateFile.replace(path, with: token + "\n")
                try await store.setMetaValue(token, forKey: Store.MetaKey.apiToken)
            } catch {
                throw CommandFailure("--rotate-admin-token: \(error)")
            }
            logger.notice("admin token rotated", metadata: ["file": "\(path)"])
            return token
        }
        let token = try await store.token()
        do {
            if try PrivateFile.createIfMissing(path, contents: token + "\n") {
                logger.info("admin token written", metadata: ["file": "\(path)"])
            } else if (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines)
                != token
            {
                // The database's token is the one in force (a regenerated database, a rotation).
                try PrivateFile.replace(path, with: token + "\n")
                logger.notice(
                    "admin token file replaced: it did not hold the token in force", metadata: ["file": "\(path)"])
            }
        } catch {
            throw CommandFailure("cannot write \(path): \(error)")
        }
        return token
    }
}
