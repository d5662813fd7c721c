import BelfryServer
import Foundation
import Logging

/// `serve`'s flags merged with their `BELFRY_*` environment defaults and checked.
struct ServeSettings {
    var sourcePath: String
    var dataDirectory: String
    /// Seconds between reconcile passes.
    var interval: Int
    var adminHost: String
    var adminPort: Int
    var adminToken: String?
    var server: ServerOptions
    var logFormat: LogFormat
    var logLevel: Logger.Level
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
        if source.contains("://") {
            throw CommandFailure("--source \(source): git URLs are not supported yet; give a directory")
        }
        if let branch = string("branch", branch) {
            throw CommandFailure("--branch \(branch): git sources are not supported yet; --source must be a directory")
        }
        if let url = string("redis-url", redisUrl) {
            throw CommandFailure("--redis-url \(url): multi-node mode is not supported yet")
        }
        let intervalSeconds = try int("interval", interval, range: 1...86400) ?? 60
        let adminPortNumber = try int("admin-port", adminPort, range: 0...65535) ?? 9601
        let adminHostName = string("admin-host", adminHost) ?? "127.0.0.1"
        let dataDirectory = string("data-dir", dataDir) ?? ".belfry"
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("--data-dir \(dataDirectory): cannot create it: \(error.localizedDescription)")
        }
        var sourcePath = source
        if let sub = string("path", path) { sourcePath = (source as NSString).appendingPathComponent(sub) }
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
        let levelText = string("log-level", logLevel) ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw CommandFailure(
                "--log-level must be one of trace, debug, info, notice, warning, error, critical; got \(levelText)")
        }
        return ServeSettings(
            sourcePath: sourcePath, dataDirectory: dataDirectory, interval: intervalSeconds,
            adminHost: adminHostName, adminPort: adminPortNumber, adminToken: string("admin-token", adminToken),
            server: options,
            logFormat: format, logLevel: level)
    }
}
