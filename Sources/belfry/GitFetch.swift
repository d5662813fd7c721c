import ArgumentParser
import BelfrySource
import Foundation

/// `belfry git-fetch` (internal, hidden): one fetch of a git source into its mirror, the revision
/// written as JSON on stdout. `serve` runs it as a child process so that a fetch can be killed
/// at `--git-timeout` (libgit2 has no network timeout). The https token comes from the
/// environment (`BELFRY_GIT_TOKEN`), never from arguments.
struct GitFetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git-fetch", abstract: "Internal: fetch a git source once (run by serve).",
        shouldDisplay: false)

    @Option var url: String
    @Option var branch: String
    @Option var path: String = ""
    @Option var mirror: String
    @Option var secretsRoot: String
    @Option var gitSshKey: String?
    @Option var gitKnownHosts: String?
    @Option var since: String?

    func run() throws {
        guard
            let git = try GitSettings.resolve(
                source: url, localRepositories: true, branch: branch, subpath: path, tokenFile: nil,
                sshKey: gitSshKey, knownHosts: gitKnownHosts, mirrorDirectory: mirror)
        else {
            throw CommandFailure("\(url) is not a git source")
        }
        let revision: SourceRevision
        do {
            revision = try GitSource(
                url: git.url, branch: git.branch, subpath: git.subpath, credentials: git.credentials,
                mirrorDirectory: git.mirrorDirectory, secretsRoot: secretsRoot
            ).fetch(since: since)
        } catch {
            FileHandle.standardError.write(Data("\(error.description.dropPrefix("error: "))\n".utf8))
            throw ExitCode(1)
        }
        let encoder = JSONEncoder()
        FileHandle.standardOutput.write(try encoder.encode(revision))
    }
}

extension String {
    fileprivate func dropPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
