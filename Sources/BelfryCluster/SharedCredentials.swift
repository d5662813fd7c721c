import BelfryManifest
import BelfryRedis

/// The Redis commands behind `ClusterCredentials`, and their answers parsed. Pure: the node
/// sends them, the tests send the same ones to a real Redis.
///
/// A retiring secret is one field of `P:retiring`, `APP\nSECRET` → until (an app name holds no
/// newline), so one script reads them all and drops the expired ones in Redis's time.
public struct SharedCredentials: Sendable {
    public let keys: ClusterKeys

    public init(keys: ClusterKeys) { self.keys = keys }

    /// `ClusterScript.agree`: answers the agreed secret (a bulk string). `candidate` is this
    /// node's copy if it has one, else `fresh`.
    public func agree(app name: String, candidate: String, fresh: String) -> [[UInt8]] {
        ClusterScript.agree.evalsha(
            keys: [keys.secrets, keys.forgotten],
            arguments: [Array(name.utf8), Array(candidate.utf8), Array(fresh.utf8)])
    }

    public func replace(app name: String, secret: String) -> [[UInt8]] {
        ["HSET", keys.secrets, name, secret].map { Array($0.utf8) }
    }

    /// `ClusterScript.forgetCredentials`: the generated secret and the retiring ones; with
    /// `secret`, only if the kept one is that (or none).
    public func forget(app name: String, ifSecretIs secret: String? = nil) -> [[UInt8]] {
        ClusterScript.forgetCredentials.evalsha(
            keys: [keys.secrets, keys.retiring, keys.forgotten],
            arguments: [Array(name.utf8), Array((secret ?? "").utf8)])
    }

    public func addRetiring(app name: String, secret: String, until: Int64) -> [[UInt8]] {
        ["HSET", keys.retiring, name + "\n" + secret, String(until)].map { Array($0.utf8) }
    }

    /// `ClusterScript.retiring`: answers {`APP\nSECRET`, until…}, parsed by `parseRetiring`.
    public func retiring() -> [[UInt8]] {
        ClusterScript.retiring.evalsha(keys: [keys.retiring], arguments: [])
    }

    /// Retiring secrets by app name, each app's sorted by `until` then secret (so the same
    /// entries give the same configuration, and no plan shows a change that is none); nil when
    /// the answer is not the script's.
    public static func parseRetiring(_ value: RESPValue) -> [String: [App.RetiringSecret]]? {
        guard let flat = value.elements?.compactMap(\.string), flat.count % 2 == 0 else { return nil }
        var secrets: [String: [App.RetiringSecret]] = [:]
        for index in stride(from: 0, to: flat.count, by: 2) {
            guard let newline = flat[index].firstIndex(of: "\n"), let until = Int64(flat[index + 1]) else {
                continue
            }
            let app = String(flat[index][..<newline])
            let secret = String(flat[index][flat[index].index(after: newline)...])
            secrets[app, default: []].append(App.RetiringSecret(secret: secret, until: until))
        }
        return secrets.mapValues { $0.sorted { ($0.until, $0.secret) < ($1.until, $1.secret) } }
    }
}
