import BelfryManifest
import Foundation

/// Where `{ file }` and `{ env }` secret references from the repository may point. The config
/// repo is written by many people; the server's own secrets (its TLS key, the admin token, the
/// git token, `/etc/shadow`) are not theirs to read, so a reference can only reach the
/// directories and the variables the operator set aside for app secrets.
public struct SecretPolicy: Sendable, Equatable {
    /// Directories `file:` references resolve in (relative paths are tried in order; absolute
    /// ones must lie inside one). Compared after resolving symbolic links and `..`.
    public var directories: [String]
    /// The prefix every `env:` variable name must have; "" allows any.
    public var envPrefix: String

    public init(directories: [String], envPrefix: String) {
        self.directories = directories
        self.envPrefix = envPrefix
    }

    /// `/run/secrets` (Docker and systemd credentials) and `DATA_DIR/secrets`, `BELFRY_APP_`.
    public static func defaults(dataDirectory: String) -> SecretPolicy {
        SecretPolicy(directories: ["/run/secrets", dataDirectory + "/secrets"], envPrefix: "BELFRY_APP_")
    }

    /// The secret a reference points at, with one trailing newline of a file removed. A reference
    /// outside the policy fails with `isPolicyViolation` (an error even where an absent secret is
    /// only a warning); empty secrets are refused.
    public func resolve(_ ref: SecretRef, environment: [String: String]) -> Result<String, SecretResolutionError> {
        switch ref {
        case .value(let value):
            return .success(value)
        case .env(let name):
            guard name.hasPrefix(envPrefix) else {
                return .failure(
                    SecretResolutionError(
                        "environment variable \(name) is not allowed: app secrets must be in variables named "
                            + "\(envPrefix)… (--secrets-env-prefix)", policyViolation: true))
            }
            guard let value = environment[name] else {
                return .failure(SecretResolutionError("environment variable \(name) is not set"))
            }
            guard !value.isEmpty else {
                return .failure(SecretResolutionError("environment variable \(name) is empty"))
            }
            return .success(value)
        case .file(let file):
            let path: String
            switch locate(file) {
            case .success(let found): path = found
            case .failure(let error): return .failure(error)
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                return .failure(SecretResolutionError("secret file \(file) cannot be read"))
            }
            guard var text = String(data: data, encoding: .utf8) else {
                return .failure(SecretResolutionError("secret file \(file) is not valid UTF-8"))
            }
            // "\r\n" is one Character: `hasSuffix("\n")` misses it and `removeLast` removes it whole.
            if text.hasSuffix("\n") || text.hasSuffix("\r\n") { text.removeLast() }
            guard !text.isEmpty else {
                return .failure(SecretResolutionError("secret file \(file) is empty"))
            }
            return .success(text)
        }
    }

    /// The real path of a `file:` reference inside one of `directories`.
    private func locate(_ file: String) -> Result<String, SecretResolutionError> {
        let roots = directories.map(Self.realPath)
        let candidates = file.hasPrefix("/") ? [file] : directories.map { $0 + "/" + file }
        var outside = false
        for candidate in candidates {
            let real = Self.realPath(candidate)
            guard roots.contains(where: { real.hasPrefix($0 + "/") }) else {
                // An absolute path, `..`, or a symbolic link that leads out of the directories.
                let escapes = file.hasPrefix("/") || file.split(separator: "/").contains("..")
                outside = outside || escapes || FileManager.default.fileExists(atPath: candidate)
                continue
            }
            if FileManager.default.fileExists(atPath: real) { return .success(real) }
        }
        if outside {
            return .failure(
                SecretResolutionError(
                    "secret file \(file) is not allowed: it must be inside "
                        + directories.joined(separator: " or ") + " (--secrets-dir)", policyViolation: true))
        }
        return .failure(
            SecretResolutionError(
                "secret file \(file) does not exist in " + directories.joined(separator: " or ") + " (--secrets-dir)"))
    }

    /// The path with symbolic links and `..` resolved as far as it exists.
    static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
