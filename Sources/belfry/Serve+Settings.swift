import BelfryCluster
import BelfryGit
import BelfryReconciler
import BelfryRedis
import BelfryServer
import Foundation
import Logging

/// `serve`'s flags merged with their `BELFRY_*` environment defaults and checked.
struct ServeSettings {
    var sourcePath: String
    /// Set when `--source` is a git URL or a local git repository.
    var git: GitSettings?
    var dataDirectory: String
    /// Seconds between reconcile passes.
    var interval: Int
    var adminHost: String
    var adminPort: Int
    var adminToken: String?
    var drift: DriftMode
    var webhookSecret: String?
    /// Seconds between statistics flushes.
    var statsInterval: Int
    var server: ServerOptions
    var logFormat: LogFormat
    var logLevel: Logger.Level
    /// Seconds one git fetch may take before its process is killed.
    var gitTimeout: Int
    /// Names accepted in the admin port's `Host` header besides IP literals and `localhost`.
    var adminAllowedHosts: Set<String>
    var metricsToken: String?
    var adminTLS: (cert: String, key: String)?
    /// Start although the database was deleted or replaced (generated secrets change).
    var regenerateCredentials: Bool
    /// Replace the admin token (and its file) with a new one.
    var rotateAdminToken: Bool
    /// `--redis-url`: join a cluster through this Redis; nil runs alone.
    var redis: RedisURL?
    var redisPrefix: String
    /// `--redis-bus-queue`: bus messages queued on the loops before the node stops reading the bus.
    var redisBusQueue: Int
    /// `--write-branch`: where management API commits go (nil: the served branch).
    var writeBranch: String?
}

extension Serve {
    func resolve() throws -> ServeSettings {
        func string(_ flag: String, _ value: String?) -> String? { value ?? Environment.value(flag) }
        func int(_ flag: String, _ value: Int?, range: ClosedRange<Int>) throws -> Int? {
            guard let raw = value.map(String.init) ?? Environment.value(flag) else { return nil }
            guard let n = Int(raw), range.contains(n) else {
                throw CommandFailure(
                    "--\(flag) must be an integer in \(range.lowerBound)...\(range.upperBound), got \(raw)")
            }
            return n
        }
        guard let source = string("source", source) else {
            throw CommandFailure("--source is required (a directory of manifests), or set BELFRY_SOURCE")
        }
        var redis: RedisURL?
        if let text = string("redis-url", redisUrl) {
            do {
                redis = try RedisURL(parsing: text)
            } catch {
                throw CommandFailure("--redis-url: \(error)")
            }
        }
        if let caFile = string("redis-ca-file", redisCaFile) {
            guard redis?.tls == true else {
                throw CommandFailure("--redis-ca-file is for a rediss:// (TLS) --redis-url")
            }
            if let problem = RedisConnection.checkCAFile(caFile) { throw CommandFailure("--redis-ca-file: \(problem)") }
            redis?.caFile = caFile
        }
        let prefix = string("redis-prefix", redisPrefix) ?? "belfry"
        guard ClusterKeys.isValidPrefix(prefix) else {
            throw CommandFailure("--redis-prefix must be 1 to 64 of letters, digits, '_', '-' and '.', got \(prefix)")
        }
        let intervalSeconds = try int("interval", interval, range: 1...86400) ?? 60
        let adminPortNumber = try int("admin-port", adminPort, range: 0...65535) ?? 9601
        let adminHostName = string("admin-host", adminHost) ?? "127.0.0.1"
        let dataDirectory = string("data-dir", dataDir) ?? ".belfry"
        do {
            try FileManager.default.createDirectory(
                atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure("--data-dir \(dataDirectory): cannot create it: \(error.localizedDescription)")
        }
        let subpath = string("path", path)
        var sourcePath = source
        if let subpath { sourcePath = (source as NSString).appendingPathComponent(subpath) }
        let gitSource = try GitSettings.resolve(
            source: source, localRepositories: true, branch: string("branch", branch), subpath: subpath,
            tokenFile: gitTokenFile, sshKey: gitSshKey, knownHosts: gitKnownHosts,
            mirrorDirectory: dataDirectory + "/git/source")
        var options = ServerOptions()
        if let host = string("host", host) { options.host = host }
        if let port = try int("port", port, range: 0...65535) { options.port = port }
        if let v = try int("activity-timeout", activityTimeout, range: 1...86400) { options.activityTimeout = v }
        if let v = try int("pong-timeout", pongTimeout, range: 1...3600) { options.pongTimeout = v }
        if let v = try int("user-auth-timeout", userAuthTimeout, range: 1...3600) {
            options.userAuthenticationTimeout = v
        }
        if let v = try int("cache-ttl", cacheTtl, range: 1...86400) { options.cacheTTL = v }
        if let v = try int("threads", threads, range: 0...256) { options.threads = v }
        if let v = try int("max-outbound-backlog", maxOutboundBacklog, range: (1 << 16)...(1 << 30)) {
            options.maxOutboundBacklog = v
        }
        switch string("engine", engine) ?? "auto" {
        case "auto":
            options.engine = .automatic(host: options.host)
        case let text:
            guard let v = ServerOptions.Engine(rawValue: text) else {
                throw CommandFailure("--engine must be auto, nio or epoll, got \(text)")
            }
            options.engine = v
        }
        if let raw = shutdownGrace.map({ String($0) }) ?? Environment.value("shutdown-grace") {
            guard let v = Double(raw), v >= 0, v <= 3600 else {
                throw CommandFailure("--shutdown-grace must be a number of seconds in 0...3600, got \(raw)")
            }
            options.shutdownGracePeriod = v
        }
        let formatText = string("log-format", logFormat) ?? (isatty(STDERR_FILENO) == 1 ? "text" : "json")
        guard let format = LogFormat(rawValue: formatText) else {
            throw CommandFailure("--log-format must be text or json, got \(formatText)")
        }
        let driftText = string("drift", drift) ?? "correct"
        guard let driftMode = DriftMode(rawValue: driftText) else {
            throw CommandFailure("--drift must be correct or warn, got \(driftText)")
        }
        let gitTimeoutSeconds = try int("git-timeout", gitTimeout, range: 1...3600) ?? 60
        let allowedHosts = Set(
            (string("admin-allowed-hosts", adminAllowedHosts.isEmpty ? nil : adminAllowedHosts.joined(separator: ","))
                ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter {
                    !$0.isEmpty
                })
        var tls: (cert: String, key: String)?
        switch (string("admin-tls-cert", adminTlsCert), string("admin-tls-key", adminTlsKey)) {
        case (nil, nil): tls = nil
        case (let cert?, let key?): tls = (cert, key)
        default: throw CommandFailure("--admin-tls-cert and --admin-tls-key go together")
        }
        var metrics = string("metrics-token", metricsToken)
        if metrics == nil, let file = string("metrics-token-file", metricsTokenFile) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CommandFailure("--metrics-token-file \(file): cannot read it")
            }
            metrics = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let levelText = string("log-level", logLevel) ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw CommandFailure(
                "--log-level must be one of trace, debug, info, notice, warning, error, critical; got \(levelText)")
        }
        return ServeSettings(
            sourcePath: sourcePath, git: gitSource, dataDirectory: dataDirectory, interval: intervalSeconds,
            adminHost: adminHostName, adminPort: adminPortNumber, adminToken: string("admin-token", adminToken),
            drift: driftMode, webhookSecret: string("webhook-secret", webhookSecret),
            statsInterval: try int("stats-interval", statsInterval, range: 1...3600) ?? 5, server: options,
            logFormat: format, logLevel: level, gitTimeout: gitTimeoutSeconds, adminAllowedHosts: allowedHosts,
            metricsToken: metrics, adminTLS: tls,
            regenerateCredentials: regenerateCredentials || Environment.value("regenerate-credentials") == "true",
            rotateAdminToken: rotateAdminToken, redis: redis, redisPrefix: prefix,
            redisBusQueue: try int("redis-bus-queue", redisBusQueue, range: 1...1_000_000) ?? 256,
            writeBranch: string("write-branch", writeBranch))
    }
}

/// A git source: where, which branch and directory, and how to authenticate.
struct GitSettings {
    var url: String
    var branch: String
    var subpath: String
    var credentials: GitCredentials
    var mirrorDirectory: String
    /// The ssh key and known_hosts files, for the `git-fetch` child process.
    var sshKey: String? = nil
    var knownHostsFile: String? = nil
}

extension GitSettings {
    /// Decides whether `source` is git: a URL (`file://`, `https://`, `ssh://`), or (when
    /// `localRepositories`) a local directory that is a git repository (work tree or bare).
    /// Credentials: `BELFRY_GIT_TOKEN` or a token file for https; an ssh key with a known_hosts file.
    static func resolve(
        source: String, localRepositories: Bool, branch: String?, subpath: String?, tokenFile: String?,
        sshKey: String?, knownHosts: String?, mirrorDirectory: String
    ) throws -> GitSettings? {
        let fileManager = FileManager.default
        let isURL = source.contains("://")
        let isRepository =
            localRepositories
            && (fileManager.fileExists(atPath: source + "/.git")
                || (fileManager.fileExists(atPath: source + "/HEAD")
                    && fileManager.fileExists(atPath: source + "/objects")))
        guard isURL || isRepository else {
            if let branch {
                throw CommandFailure("--branch \(branch): --source \(source) is not a git repository or URL")
            }
            return nil
        }
        var credentials = GitCredentials.none
        // https://user:token@host/…: the token moves to credentials and never reaches the
        // mirror's config file (libgit2 stores the remote URL there in clear).
        var cleanURL = source
        var urlUser: String?
        var urlToken: String?
        if isURL, let scheme = source.range(of: "://"),
            let at = source[scheme.upperBound...].firstIndex(of: "@"),
            !source[scheme.upperBound..<at].contains("/")
        {
            let userinfo = source[scheme.upperBound..<at]
            let parts = userinfo.split(separator: ":", maxSplits: 1).map(String.init)
            if source.hasPrefix("https://") || source.hasPrefix("http://") {
                urlUser = parts.first.flatMap { $0.removingPercentEncoding }
                urlToken = parts.count > 1 ? parts[1].removingPercentEncoding : nil
                cleanURL = String(source[..<scheme.upperBound]) + String(source[source.index(after: at)...])
            }
        }
        var keyFile: String?
        var hostsPath: String?
        let username = Environment.value("git-username") ?? urlUser ?? "x-access-token"
        if let token = Environment.value("git-token") ?? urlToken {
            credentials = .token(token, username: username)
        } else if let file = tokenFile ?? Environment.value("git-token-file") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CommandFailure("--git-token-file \(file): cannot read it")
            }
            credentials = .token(text.trimmingCharacters(in: .whitespacesAndNewlines), username: username)
        } else if let key = sshKey ?? Environment.value("git-ssh-key") {
            keyFile = key
            guard let hostsFile = knownHosts ?? Environment.value("git-known-hosts"),
                let hosts = try? String(contentsOfFile: hostsFile, encoding: .utf8)
            else {
                throw CommandFailure("--git-ssh-key needs --git-known-hosts FILE with the server's host keys")
            }
            credentials = .sshKey(SSHKeyCredentials(privateKeyPath: key, knownHosts: KnownHosts(hosts)))
            hostsPath = hostsFile
        }
        let url = isURL ? cleanURL : URL(fileURLWithPath: source).standardizedFileURL.path
        return GitSettings(
            url: url, branch: branch ?? "main", subpath: subpath ?? "", credentials: credentials,
            mirrorDirectory: mirrorDirectory, sshKey: keyFile, knownHostsFile: hostsPath)
    }
}
