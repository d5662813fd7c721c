import BelfryManifest
import Foundation

extension DirectorySource {
    /// The secret a reference points at: `env` from `environment`, `file` relative to `root`
    /// (absolute paths allowed) with one trailing newline removed. Empty secrets are refused.
    func resolve(_ ref: SecretRef, environment: [String: String]) -> Result<String, SecretResolutionError> {
        switch ref {
        case .value(let value):
            return .success(value)
        case .env(let name):
            guard let value = environment[name] else {
                return .failure(SecretResolutionError("environment variable \(name) is not set"))
            }
            guard !value.isEmpty else {
                return .failure(SecretResolutionError("environment variable \(name) is empty"))
            }
            return .success(value)
        case .file(let file):
            let path = absolute(file)
            guard let data = FileManager.default.contents(atPath: path) else {
                let problem = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
                return .failure(SecretResolutionError("secret file \(file) \(problem)"))
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
}
