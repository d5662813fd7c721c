import BelfryManifest
import Foundation

extension DirectorySource {
    /// Validates the source the way `serve` loads it, for a pull-request check: the same errors,
    /// except that secrets that cannot be resolved here (unset variables, absent files) are
    /// warnings, since the check usually runs without the production environment.
    /// - Parameters:
    ///   - author: the change's author email, for the "users cannot delete themselves" rule.
    ///   - base: the source before the change.
    ///   - secrets: where `file:` and `env:` references may point; a reference outside it is an
    ///     error, a secret absent where the check runs a warning.
    public func validate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        author: String? = nil, base: DirectorySource? = nil, secrets: SecretPolicy
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
        var forbidden: [ManifestError] = []
        for app in set.apps {
            guard let secret = app.secret,
                case .failure(let problem) = secrets.resolve(secret, environment: environment)
            else { continue }
            let located = ManifestError(problem.message, at: app.location(of: "/spec/secret"))
            if problem.policyViolation { forbidden.append(located) } else { warnings.append(located) }
        }
        let errors = (set.errors + forbidden + set.wholeSetErrors(source: ".", author: author, base: baseSet)).sorted()
        return ValidationReport(
            errors: errors, warnings: warnings, files: revision.files.count, apps: set.apps.count,
            users: set.users.count)
    }
}
