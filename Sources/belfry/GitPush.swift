import ArgumentParser
import BelfryGit
import BelfrySource
import Foundation

/// `belfry git-push` (internal, hidden): one write to a git source — fetch, commit the change set
/// read as JSON (`GitWrite`) on stdin, push — with the result (`GitWriteResult`) as JSON on
/// stdout. Run as a child process (`IsolatedGitWriter`) so a push can be killed at
/// `--git-timeout` (libgit2 has no network timeout). The https token comes from the environment
/// (`BELFRY_GIT_TOKEN`), never from arguments. Exit status 0 whenever a result was written, even
/// a failed one; 1 only for unreadable input.
struct GitPush: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git-push", abstract: "Internal: commit a change set to a git source and push it (run by serve).",
        shouldDisplay: false)

    @Option var url: String
    @Option(help: "The base branch (the one served).") var branch: String
    @Option(help: "The bare work repository (created if missing).") var repository: String
    @Option var gitSshKey: String?
    @Option var gitKnownHosts: String?

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let request: GitWrite
        do {
            request = try JSONDecoder().decode(GitWrite.self, from: input)
        } catch {
            throw CommandFailure("git-push: unreadable change set on stdin: \(error)")
        }
        let result: GitWriteResult
        do {
            guard
                let git = try GitSettings.resolve(
                    source: url, localRepositories: true, branch: branch, subpath: nil, tokenFile: nil,
                    sshKey: gitSshKey, knownHosts: gitKnownHosts, mirrorDirectory: repository)
            else {
                throw CommandFailure("\(url) is not a git source")
            }
            let remote = GitRemote(url: git.url, branch: git.branch, credentials: git.credentials)
            result = try GitMirror(remote: remote, directory: git.mirrorDirectory).write(request)
        } catch let error as GitError {
            result = .failed(error)
        }
        FileHandle.standardOutput.write(try JSONEncoder().encode(result))
    }
}

extension Serve {
    /// A writer to the git source whose pushes run in a `belfry git-push` child process, killed
    /// after `timeout` seconds. `repository` is its own bare work repository, e.g.
    /// `DATA_DIR/git/write` (not the fetch mirror, which a `git-fetch` child may be using).
    static func gitWriter(_ git: GitSettings, repository: String, timeout: Int) -> IsolatedGitWriter {
        let (arguments, environment) = childProcess(
            ["git-push", "--url", git.url, "--branch", git.branch, "--repository", repository], git)
        return IsolatedGitWriter(
            description: "\(GitSource.redacted(git.url))#\(git.branch)", executable: executablePath,
            arguments: arguments, environment: environment, timeout: .seconds(timeout))
    }
}
