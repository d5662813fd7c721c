import ArgumentParser
import BelfryManifest
import BelfryServer
import BelfrySource
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
    @Option(help: "Address of the admin port (status page; not served yet). (env BELFRY_ADMIN_HOST)")
    var adminHost: String?
    @Option(help: "Admin port (status page; not served yet). (env BELFRY_ADMIN_PORT)")
    var adminPort: Int?
    @Option(help: "State directory, created if missing (default .belfry). (env BELFRY_DATA_DIR)")
    var dataDir: String?
    @Option(help: "Git branch (git sources are not supported yet). (env BELFRY_BRANCH)")
    var branch: String?
    @Option(help: "Reconcile interval in seconds (reconciler not built yet). (env BELFRY_INTERVAL)")
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
        let snapshot: ConfigSnapshot
        do {
            snapshot = try DirectorySource(path: settings.sourcePath).load()
        } catch {
            FileHandle.standardError.write(
                Data("belfry: the configuration in \(settings.sourcePath) is invalid:\n\(error)\n".utf8))
            throw ExitCode(1)
        }
        logger.info(
            "configuration loaded",
            metadata: [
                "revision": "\(snapshot.revision)", "apps": "\(snapshot.apps.count)",
                "users": "\(snapshot.users.count)",
            ])
        let server = PusherServer(options: settings.server, store: ConfigStore(snapshot), logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
