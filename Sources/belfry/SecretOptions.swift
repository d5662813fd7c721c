import ArgumentParser
import BelfrySource
import Foundation

/// `--secrets-dir` and `--secrets-env-prefix`, shared by `serve`, `validate` and `reconcile`:
/// where the manifests' `{ file }` and `{ env }` secret references may point.
struct SecretOptions: ParsableArguments {
    @Option(
        name: .customLong("secrets-dir"),
        help: ArgumentHelp(
            "Directory `file:` secrets may be read from (repeatable; default /run/secrets and DATA_DIR/secrets). (env BELFRY_SECRETS_DIR, colon-separated)",
            valueName: "dir"))
    var directories: [String] = []
    @Option(
        name: .customLong("secrets-env-prefix"),
        help: "Prefix of the variables `env:` secrets may name (default BELFRY_APP_). (env BELFRY_SECRETS_ENV_PREFIX)")
    var envPrefix: String?

    /// The policy, with `dataDirectory`'s `secrets/` among the defaults.
    func policy(dataDirectory: String) -> SecretPolicy {
        var policy = SecretPolicy.defaults(dataDirectory: dataDirectory)
        let fromEnvironment = Environment.value("secrets-dir")?.split(separator: ":").map(String.init) ?? []
        let given = directories.isEmpty ? fromEnvironment : directories
        if !given.isEmpty {
            policy.directories = given.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        }
        if let prefix = envPrefix ?? Environment.value("secrets-env-prefix") { policy.envPrefix = prefix }
        return policy
    }
}
