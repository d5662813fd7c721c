import ArgumentParser
import BelfryManifest

/// `belfry token …`: API tokens for the management API (`/api/v1`).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Make API tokens for the management API (/api/v1).",
        subcommands: [New.self])

    /// `belfry token new --name ci [--user alice]`: a fresh token, shown once, and the
    /// `spec.apiTokens` entry (its SHA-256) to commit to a User manifest.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new API token once and the spec.apiTokens entry (its sha256) to add to a User.",
            discussion: """
                The token acts as the User whose manifest lists its digest: add the printed entry under \
                that User's spec.apiTokens, commit and push; it works once the configuration applies \
                (Authorization: Bearer <token> on /api/v1). Remove the entry to revoke it. \
                Only the digest goes into git; the token is not stored anywhere and cannot be shown again.
                Example: belfry token new --name ci --user alice
                """)

        @Option(help: "What the token is for (ci, terraform): lower-case letters, digits and '-', unique in the User.")
        var name: String
        @Option(help: "The User (metadata.name) the token will act as; only named in the instructions.")
        var user: String?

        func validate() throws {
            guard APIToken.isValidName(name) else {
                throw ValidationError(
                    "--name: \(name) must be 1-63 lower-case letters, digits or '-' (ci, deploy-prod)")
            }
            if let user, !APIToken.isValidName(user) {
                throw ValidationError("--user: \(user) is not a User's metadata.name")
            }
        }

        func run() throws {
            let token = APIToken.generate()
            print(Self.instructions(token: token, name: name, user: user), terminator: "")
        }

        /// What `run` prints: the token, then the YAML to add to the User manifest.
        static func instructions(token: String, name: String, user: String?) -> String {
            let owner = user.map { "the User \($0) (metadata.name: \($0))" } ?? "the User it acts as"
            return """
                API token (shown only once: store it now, e.g. as a CI secret; it cannot be shown again):

                  \(token)

                Add this under spec.apiTokens of \(owner), commit and push;
                the token works once the configuration applies (Authorization: Bearer <token> on /api/v1):

                  apiTokens:
                    - name: \(name)
                      sha256: "\(APIToken.digest(of: token))"

                Remove the entry to revoke the token.

                """
        }
    }
}
