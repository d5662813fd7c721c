import BelfryManifest
import BelfrySource
import Foundation

/// A valid App document; line numbers in tests refer to it (id on line 6, key on 7, secret on 8).
let chatApp = """
    apiVersion: belfry.dev/v1
    kind: App
    metadata:
      name: chat
    spec:
      id: "1001"
      key: chat-key
      secret: { value: chat-secret }

    """

/// A valid User document (email on line 6, passwordHash on 7).
let aliceUser = """
    apiVersion: belfry.dev/v1
    kind: User
    metadata:
      name: alice
    spec:
      email: alice@example.com
      passwordHash: "$2b$12$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P"

    """

/// `chatApp` with `old` replaced by `new` (which must occur).
func chat(replacing old: String, with new: String) -> String {
    precondition(chatApp.contains(old), "fixture does not contain \(old)")
    return chatApp.replacingOccurrences(of: old, with: new)
}

/// The error lines one file decodes to, as an operator would read them.
func errorLines(_ yaml: String, file: String = "t.yaml") -> [String] {
    ManifestDecoder.decode(yaml: yaml, file: file).errors.sorted().map(\.description)
}

/// A directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("belfry-manifest-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `relative` (creating directories); returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The secret policy `validate` uses by default (`/run/secrets`, `.belfry/secrets`, `BELFRY_APP_`).
let defaultSecrets = SecretPolicy.defaults(dataDirectory: ".belfry")
