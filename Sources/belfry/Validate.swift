import ArgumentParser
import BelfryManifest
import BelfrySource
import Foundation

/// `belfry validate DIR`: the pull-request check. Validates every manifest against `schemas/`
/// and the cross-object rules and prints located messages.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the manifests in DIR against the schemas and the cross-object rules.",
        discussion: """
            Prints one `file:line:col: error: /json/pointer: message` line per problem and a summary.
            Exit status: 0 valid, 1 invalid, 2 usage error. Secrets given as { env } or { file } that
            cannot be resolved here are warnings (the check usually runs without production secrets);
            references outside --secrets-dir or without the --secrets-env-prefix are errors.
            Example (GitHub Actions): belfry validate config --format github \\
              --author "$(git log -1 --format=%ae)" --base origin/main
            """)

    @Argument(help: "Directory of YAML manifests.")
    var dir: String
    @Option(help: "Output: text, json or github (workflow annotations).")
    var format: ValidationReport.Format = .text
    @Option(help: "Email of the change's author; with --base, refuses a change that removes the author's own User.")
    var author: String?
    @Option(help: "The manifests before the change: a directory, or a git revision of the repository holding DIR.")
    var base: String?
    @OptionGroup var secrets: SecretOptions
    @Option(
        help:
            "With --format github: the directory annotation paths are relative to (default: the git repository holding DIR)."
    )
    var annotationsRoot: String?

    func validate() throws {
        if (author == nil) != (base == nil) { throw ValidationError("--author and --base go together") }
    }

    func run() throws {
        var baseSource: DirectorySource?
        var export: GitRevisionExport?
        if let base {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory), isDirectory.boolValue {
                baseSource = DirectorySource(path: base)
            } else {
                do {
                    export = try GitRevisionExport.export(directory: dir, revision: base)
                } catch {
                    throw ValidationError(error.description)
                }
                baseSource = export?.source
            }
        }
        defer { if let export { try? FileManager.default.removeItem(atPath: export.temporaryRoot) } }
        let report: ValidationReport
        do {
            report = try DirectorySource(path: dir).validate(
                author: author, base: baseSource, secrets: secrets.policy(dataDirectory: ".belfry"))
        } catch {
            switch error {
            case .directoryNotFound, .notADirectory: throw ValidationError(error.description)
            default:
                print(error.description)
                throw ExitCode(1)
            }
        }
        print(report.rendered(format, annotationPrefix: annotationPrefix()), terminator: "")
        if !report.isValid { throw ExitCode(1) }
    }
}

extension Validate {
    /// DIR relative to the annotations root: `--annotations-root`, else the top of the git work
    /// tree holding DIR (a `.git` directory or file), else nothing.
    func annotationPrefix() -> String {
        let directory = URL(fileURLWithPath: dir).standardizedFileURL.resolvingSymlinksInPath().path
        var root: String?
        if let annotationsRoot {
            root = URL(fileURLWithPath: annotationsRoot).standardizedFileURL.resolvingSymlinksInPath().path
        } else {
            var candidate = directory
            while true {
                if FileManager.default.fileExists(atPath: candidate + "/.git") {
                    root = candidate
                    break
                }
                let parent = (candidate as NSString).deletingLastPathComponent
                if parent == candidate || parent.isEmpty { break }
                candidate = parent
            }
        }
        guard let root, directory.hasPrefix(root), directory != root else { return "" }
        return String(directory.dropFirst(root.hasSuffix("/") ? root.count : root.count + 1)) + "/"
    }
}

extension ValidationReport.Format: ExpressibleByArgument {}
