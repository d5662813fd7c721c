import BelfryManifest
import BelfryRedis
import BelfryServer

/// The credentials shared with the other nodes (`ClusterCredentials`), one Redis command each.
extension ClusterNode: ClusterCredentials {
    public func agreedSecret(app name: String, candidate: String, fresh: String) async
        -> Result<String, ClusterUnavailable>
    {
        await ask(SharedCredentials(keys: keys).agree(app: name, candidate: candidate, fresh: fresh)) { $0.string }
    }

    public func replaceSecret(app name: String, secret: String) async -> Result<Void, ClusterUnavailable> {
        await ask(SharedCredentials(keys: keys).replace(app: name, secret: secret)) { $0.integer.map { _ in () } }
    }

    public func forgetSecrets(app name: String, ifSecretIs secret: String?) async -> Result<Void, ClusterUnavailable> {
        await ask(SharedCredentials(keys: keys).forget(app: name, ifSecretIs: secret)) { $0.integer.map { _ in () } }
    }

    public func addRetiringSecret(app name: String, secret: String, until: Int64) async
        -> Result<Void, ClusterUnavailable>
    {
        await ask(SharedCredentials(keys: keys).addRetiring(app: name, secret: secret, until: until)) {
            $0.integer.map { _ in () }
        }
    }

    public func retiringSecrets() async -> Result<[String: [App.RetiringSecret]], ClusterUnavailable> {
        await ask(SharedCredentials(keys: keys).retiring(), SharedCredentials.parseRetiring)
    }

    /// Sends one command once the link is up (waiting for it at most 2 s; the answer has 2 s
    /// more, `RedisLink.submit`'s deadline), and parses the answer.
    private func ask<Answer>(_ command: [[UInt8]], _ parse: (RESPValue) -> Answer?) async
        -> Result<Answer, ClusterUnavailable>
    {
        guard await commands.waitConnected(timeout: .seconds(2)) else {
            return .failure(ClusterUnavailable("Redis \(settings.url) is not connected"))
        }
        switch await run([command]) {
        case .failure(let failure):
            return .failure(ClusterUnavailable("Redis \(settings.url): \(failure)"))
        case .success(let answers):
            guard let answer = answers.first else {
                return .failure(ClusterUnavailable("Redis \(settings.url) did not answer"))
            }
            if case .error(let message) = answer {
                return .failure(ClusterUnavailable("Redis \(settings.url) answered \(message)"))
            }
            // The answer is not quoted: it may hold secrets.
            guard let value = parse(answer) else {
                return .failure(ClusterUnavailable("Redis \(settings.url) gave an unexpected answer"))
            }
            return .success(value)
        }
    }
}
