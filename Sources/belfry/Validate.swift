import ArgumentParser
import BelfrySource
import Foundation

/// `belfry validate DIR`: loads the manifests the way `serve` does and reports every problem.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the manifests in DIR; print file:line:col: error: … lines. Exit 0 valid, 1 invalid.")

    @Argument(help: "Directory of YAML manifests.")
    var dir: String

    func run() throws {
        do {
            let snapshot = try DirectorySource(path: dir).load()
            print("\(dir): valid (\(snapshot.apps.count) apps, \(snapshot.users.count) users)")
        } catch {
            print("\(error)")
            throw ExitCode(1)
        }
    }
}
