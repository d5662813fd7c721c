import ArgumentParser
import BelfryJSON
import BelfryManifest
import BelfryPlan
import BelfrySource
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `belfry reconcile`: one pass against a running server through its internal API; with
/// `--dry-run`, only the plan (the pull-request check).
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan (and unless --dry-run, apply) SRC against a running server.",
        discussion: """
            Reads and validates SRC, fetches the server's state from URL/internal/v1/state (digests of secrets
            and password hashes, never the values), prints the plan (secrets and password hashes masked:
            "(set)", "(changed)") and applies it through URL/internal/v1/apply. Exit status: 0 success, 1 error;
            with --detailed-exitcode: 0 no changes, 1 error, 2 changes (planned or applied).
            The admin token: --token-file FILE, or BELFRY_TOKEN, or --token (visible in ps; avoid).
            Example: belfry reconcile --source config --server http://127.0.0.1:9601 \\
              --token-file .belfry/admin-token --dry-run --output markdown
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @Option(help: "Manifest source: a directory (a pull request's work tree), or a git URL.") var source: String
    @Option(help: "Branch of a git URL source (default main).") var branch: String?
    @Option(help: "Subdirectory of a git source holding the manifests.") var path: String?
    @Option(help: "File holding an https token for a git source (or set BELFRY_GIT_TOKEN).") var gitTokenFile: String?
    @Option(help: "Private key for an ssh:// git source; needs --git-known-hosts.") var gitSshKey: String?
    @Option(help: "known_hosts file with the ssh git server's host keys.") var gitKnownHosts: String?
    @Option(help: "Seconds the git fetch may take before it is killed (default 60).") var gitTimeout: Int = 60
    @Option(help: "The server's admin URL, e.g. http://127.0.0.1:9601.") var server: String
    @Option(help: "File holding the admin token (DATA_DIR/admin-token on the server).") var tokenFile: String?
    @Option(help: "The admin token; prefer --token-file or BELFRY_TOKEN (argv is visible to other users).")
    var token: String?
    @OptionGroup var secrets: SecretOptions
    @Flag(help: "Print the plan; change nothing.") var dryRun = false
    @Option(help: "Plan format: text, json or markdown.") var output: Output = .text
    @Flag(help: "Exit 2 when there are changes, 0 when none.") var detailedExitcode = false
    @Flag(help: "Allow a plan that deletes every app or every user.") var allowEmpty = false

    /// `--token-file`, then `BELFRY_TOKEN`, then `--token`.
    private func resolvedToken() throws -> String {
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw CommandFailure("--token-file \(tokenFile): cannot read it")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let token = ProcessInfo.processInfo.environment["BELFRY_TOKEN"] ?? token { return token }
        throw CommandFailure("the admin token is required: --token-file FILE (or BELFRY_TOKEN, or --token)")
    }

    func run() async throws {
        // The temporary mirror of a git source may hold secrets: never readable by others.
        umask(0o077)
        guard (1...3600).contains(gitTimeout) else {
            throw CommandFailure("--git-timeout must be an integer in 1...3600, got \(gitTimeout)")
        }
        let apiToken = try resolvedToken()
        let revision: SourceRevision
        let mirror = NSTemporaryDirectory() + "belfry-reconcile-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: mirror) }
        do {
            if let git = try GitSettings.resolve(
                source: source, localRepositories: false, branch: branch, subpath: path, tokenFile: gitTokenFile,
                sshKey: gitSshKey, knownHosts: gitKnownHosts, mirrorDirectory: mirror)
            {
                revision = try Serve.gitSource(git, timeout: gitTimeout).fetch()
            } else {
                revision = try DirectorySource(
                    path: path.map { (source as NSString).appendingPathComponent($0) } ?? source
                ).fetch()
            }
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("\(error)")
        }
        let desired: ConfigSnapshot
        // Apps without a secret keep the one the server generated; "" asks the server to fill it in.
        let set = revision.manifestSet
        let generated = Dictionary(uniqueKeysWithValues: set.appsWithoutSecret.map { ($0, "") })
        switch revision.snapshot(
            generatedSecrets: generated, set: set, secrets: secrets.policy(dataDirectory: ".belfry"))
        {
        case .success(let snapshot): desired = snapshot
        case .failure(let errors):
            print(errors.description)
            throw ExitCode(1)
        }
        let api = InternalAPI(base: server, token: apiToken)
        guard let current = ConfigSnapshot(json: try await api.call("GET", "/internal/v1/state")) else {
            throw CommandFailure("\(server) answered /internal/v1/state with an unexpected body")
        }
        // The server reports digests of secrets and password hashes; compare digests so that a
        // change of either shows as a (masked) change.
        let comparable = desired.digested(against: current)
        let plan = Plan(
            desired: comparable, current: current,
            source: Plan.Source(
                branch: revision.branch, revision: revision.revision, subject: revision.message, author: revision.author
            ),
            allowEmpty: allowEmpty || set.allowsEmpty
        )
        switch output {
        case .text: print(plan.renderText(), terminator: "")
        case .json: print(plan.renderJSON())
        case .markdown: print(plan.renderMarkdown(), terminator: "")
        }
        if let refusal = plan.refusal { throw CommandFailure("refused: \(refusal)") }
        if !dryRun, plan.hasChanges {
            let body = JSONValue.object([("config", desired.json(secrets: .include))])
            let result = try await api.call("POST", "/internal/v1/apply", body: body)
            FileHandle.standardError.write(Data("applied: \(result.serialized)\n".utf8))
        }
        if detailedExitcode, plan.hasChanges { throw ExitCode(2) }
    }
}

/// A minimal client of the server's internal API.
struct InternalAPI {
    let base: String
    let token: String

    func call(_ method: String, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        guard let url = URL(string: base.hasSuffix("/") ? String(base.dropLast()) + path : base + path) else {
            throw CommandFailure("--server \(base) is not a URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.serialized.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CommandFailure("cannot reach \(url): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw CommandFailure("\(method) \(url) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        guard let json = try? JSONParser.parse(Array(data)) else {
            throw CommandFailure("\(method) \(url) answered with invalid JSON")
        }
        return json
    }
}
