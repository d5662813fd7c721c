import BelfryManifest
import Foundation

extension DirectorySource {
    /// Validates the source the way `serve` loads it, for a pull-request check: the same errors,
    /// except that secrets that cannot be resolved here (unset variables, absent files) are
    /// warnings, since the check usually runs without the production environment.
    /// - Parameters:
    ///   - author: the change's author email, for the "users cannot delete themselves" rule.
    ///   - base: the source before the change.
    public func validate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        author: String? = nil, base: DirectorySource? = nil
    ) throws(SourceError) -> ValidationReport {
        let revision: SourceRevision
        do {
            revision = try fetch()
        } catch .invalid(let unreadable) {
            return ValidationReport(errors: unreadable.errors, warnings: [], files: 0, apps: 0, users: 0)
        }
        let set = revision.manifestSet
        let baseSet = try base?.manifestSet()
        var warnings: [ManifestError] = []
        for app in set.apps {
            guard let secret = app.secret, case .failure(let problem) = resolve(secret, environment: environment)
            else { continue }
            warnings.append(ManifestError(problem.message, at: app.location(of: "/spec/secret")))
        }
        let errors = set.errors + set.wholeSetErrors(source: ".", author: author, base: baseSet)
        return ValidationReport(
            errors: errors, warnings: warnings, files: revision.files.count, apps: set.apps.count,
            users: set.users.count)
    }
}
