import ArgumentParser
import Foundation

/// The `belfry` command: a Pusher-compatible WebSocket server configured from manifests.
@main
struct Belfry: AsyncParsableCommand {
    /// This build's version, shown by `belfry --version` and on the status page.
    static let version = "0.13.0"

    static let configuration = CommandConfiguration(
        commandName: "belfry",
        abstract: "A Pusher-protocol compatible, multi-app WebSocket server configured from YAML manifests.",
        discussion: """
            Every flag of `serve` can also be given as an environment variable BELFRY_<FLAG> \
            (BELFRY_PORT, BELFRY_SOURCE, BELFRY_ACTIVITY_TIMEOUT, …).
            """,
        version: version,
        subcommands: [
            Serve.self, Validate.self, Reconcile.self, Stats.self, TokenCommand.self, Bench.self, GitFetch.self,
            GitPush.self,
        ]
    )

    /// Runs the command; usage errors exit with status 2 (as `validate` documents), other
    /// failures with their own status and a one-line message.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
