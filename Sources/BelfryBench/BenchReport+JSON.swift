/// The one-line JSON form, keys in a stable order starting with tool and protocol, for scripts.
extension BenchReport {
    /// A JSON scalar with the precision it is printed at.
    public enum Value: Sendable, Equatable {
        case int(Int)
        case number(Double, decimals: Int)
        case string(String)
        case null

        var json: String {
            switch self {
            case .int(let n): return String(n)
            case .number(let x, let decimals): return x.isFinite ? x.fixed(decimals) : "null"
            case .string(let s): return "\"" + s.jsonEscaped() + "\""
            case .null: return "null"
            }
        }
    }

    /// Every key with its value, in output order; server keys are null without `--server-pid`.
    public var fields: [(String, Value)] {
        let s = server
        func srv(_ f: (ServerFigures) -> Value) -> Value { s.map(f) ?? .null }
        return [
            ("tool", .string("belfry-bench")), ("protocol", .string(protocolKind.rawValue)),
            ("connections", .int(connections)), ("channels", .int(channels)), ("messages", .int(messages)),
            ("rate", .number(rate, decimals: 3)), ("publishers", .int(publishers)), ("depth", .int(depth)),
            ("ready", .int(ready)), ("failed", .int(failed)),
            ("conn_time_s", .number(connTimeSeconds, decimals: 3)), ("conn_rate", .number(connRate, decimals: 0)),
            ("published", .int(published)), ("pub_ok", .int(pubOK)), ("pub_err", .int(pubErr)),
            ("pub_time_s", .number(pubTimeSeconds, decimals: 3)), ("pub_rps", .number(pubRPS, decimals: 0)),
            ("pub_lat_p50_us", .int(Int(pubLatP50Micros))), ("pub_lat_p99_us", .int(Int(pubLatP99Micros))),
            ("delivered", .int(delivered)), ("expected", .int(expected)), ("lost", .int(lost)),
            ("min_per_conn", .int(minPerConn)), ("deliver_time_s", .number(deliverTimeSeconds, decimals: 3)),
            ("deliver_rate", .number(deliverRate, decimals: 0)),
            ("lat_p50_us", .int(Int(latP50Micros))), ("lat_p99_us", .int(Int(latP99Micros))),
            ("lat_p999_us", .int(Int(latP999Micros))), ("lat_max_us", .int(Int(latMaxMicros))),
            ("client_cpu_s", .number(clientCPUSeconds, decimals: 2)),
            ("srv_rss_kb_start", srv { .int($0.rssKBStart) }), ("srv_rss_kb_ready", srv { .int($0.rssKBReady) }),
            ("srv_rss_kb_end", srv { .int($0.rssKBEnd) }),
            ("srv_rss_per_conn_b", srv { .number($0.rssPerConnBytes(ready: ready), decimals: 0) }),
            ("srv_cpu_connect_s", srv { .number($0.cpuConnectSeconds, decimals: 2) }),
            ("srv_cpu_pub_s", srv { .number($0.cpuPubSeconds, decimals: 2) }),
            ("srv_deliver_per_cpu_s", srv { .number($0.deliverPerCPUSecond(delivered: delivered), decimals: 0) }),
            ("wall_s", .number(wallSeconds, decimals: 3)),
        ] + clusterFields
    }

    /// Keys for the other `--server-pid`s (`srv2_…`) and the `--subscribe-url` targets
    /// (`sub1_…`); none in a run without them, so its line is unchanged.
    var clusterFields: [(String, Value)] {
        var fields: [(String, Value)] = []
        for (n, other) in otherServers.enumerated() {
            let key = "srv\(n + 2)_"
            fields += [
                (key + "pid", .int(Int(other.pid))), (key + "rss_kb_ready", .int(other.rssKBReady)),
                (key + "cpu_connect_s", .number(other.cpuConnectSeconds, decimals: 2)),
                (key + "cpu_pub_s", .number(other.cpuPubSeconds, decimals: 2)),
            ]
        }
        for (n, target) in targets.enumerated() {
            let key = "sub\(n + 1)_"
            fields += [
                (key + "url", .string(target.url)), (key + "ready", .int(target.ready)),
                (key + "delivered", .int(target.delivered)), (key + "expected", .int(target.expected)),
                (key + "lat_p50_us", .int(Int(target.latP50Micros))),
                (key + "lat_p99_us", .int(Int(target.latP99Micros))),
            ]
        }
        return fields
    }

    /// `{"tool":"belfry-bench","protocol":…}` on one line.
    public func jsonLine() -> String {
        "{" + fields.map { "\"\($0.0)\":\($0.1.json)" }.joined(separator: ",") + "}"
    }
}

extension Double {
    /// Fixed-point text without Foundation's locale-dependent formatting.
    func fixed(_ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(self) * scale).rounded()
        guard scaled < 9e18 else { return String(self) }
        let n = UInt64(scaled)
        let sign = self < 0 && n != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(n) }
        let whole = n / UInt64(scale)
        let fraction = String(n % UInt64(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}

extension String {
    fileprivate func jsonEscaped() -> String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20: out += "\\u00" + String(scalar.value, radix: 16).leftPadded2()
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    fileprivate func leftPadded2() -> String { count < 2 ? "0" + self : self }
}
