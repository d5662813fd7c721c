/// A flag combination that cannot run, as data; the CLI turns it into a usage error (exit 2).
public enum BenchOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    case outOfRange(flag: String, value: String, requirement: String)
    case badURL(String, reason: String)
    case badSubscribeURL(String, reason: String)
    case badChannelPrefix(String)

    public var description: String {
        switch self {
        case .outOfRange(let flag, let value, let requirement): return "--\(flag) \(value): must be \(requirement)"
        case .badURL(let url, let reason): return "--url \(url): \(reason)"
        case .badSubscribeURL(let url, let reason): return "--subscribe-url \(url): \(reason)"
        case .badChannelPrefix(let prefix):
            return "--channel-prefix \(prefix): only letters, digits and _-=@,.; are allowed"
        }
    }
}

extension BenchOptions {
    /// The first problem with these options, or nil when they describe a runnable benchmark.
    public func validate() -> BenchOptionsError? {
        let integers: [(String, Int, Int)] = [
            ("connections", connections, 0), ("channels", channels, 1),
            ("connect-concurrency", connectConcurrency, 1), ("messages", messages, 0),
            ("publishers", publishers, 1), ("depth", depth, 1), ("threads", threads, 1),
        ]
        for (flag, value, minimum) in integers where value < minimum {
            return .outOfRange(flag: flag, value: String(value), requirement: ">= \(minimum)")
        }
        let seconds: [(String, Double, Bool)] = [
            ("rate", rate, true), ("hold", hold, true), ("drain", drain, true),
            ("time-limit", timeLimit, false), ("connect-timeout", connectTimeout, false),
        ]
        for (flag, value, zeroAllowed) in seconds where !value.isFinite || value < 0 || (!zeroAllowed && value == 0) {
            return .outOfRange(flag: flag, value: String(value), requirement: zeroAllowed ? ">= 0" : "> 0")
        }
        if timeLimit > 86_400 {
            return .outOfRange(flag: "time-limit", value: String(timeLimit), requirement: "<= 86400")
        }
        if let pid = serverPIDs.first(where: { $0 <= 0 }) {
            return .outOfRange(flag: "server-pid", value: String(pid), requirement: "> 0")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-=@,.;")
        if channelPrefix.isEmpty || !channelPrefix.allSatisfy(allowed.contains) {
            return .badChannelPrefix(channelPrefix)
        }
        if case .failure(let error) = ServerAddress.parse(url) { return error }
        for target in subscribeURLs {
            if case .failure(.badURL(_, let reason)) = ServerAddress.parse(target) {
                return .badSubscribeURL(target, reason: reason)
            }
        }
        return nil
    }
}
