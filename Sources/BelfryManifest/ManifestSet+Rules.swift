/// Rules over the whole manifest set that neither a schema nor one document can check.
extension ManifestSet {
    /// At least one User, and — when the change's author and the base revision are known — no
    /// author removing their own User ("users cannot delete themselves").
    /// - Parameters:
    ///   - source: how to name the source in errors that belong to no file (its directory).
    ///   - author: the email of the change's author (the pull request's), if known.
    ///   - base: the manifests before the change, if known.
    public func wholeSetErrors(source: String, author: String? = nil, base: ManifestSet? = nil) -> [ManifestError] {
        // An invalid document is not decoded; judging the set's users then would be misleading.
        guard self.errors.isEmpty else { return [] }
        var errors: [ManifestError] = []
        if users.isEmpty, !allowsEmpty {
            errors.append(
                ManifestError(
                    "no User manifest: at least one admin user (kind: User) is required",
                    at: ManifestLocation(file: source, line: 1, column: 1)))
        }
        if let author, let base {
            let email = author.lowercased()
            let remaining = Set(users.map { $0.user.email.lowercased() })
            for removed in base.users where removed.user.email.lowercased() == email && !remaining.contains(email) {
                errors.append(
                    ManifestError(
                        "User \(NodeReader.quoted(removed.user.name)) (\(removed.user.email)) is removed by its own "
                            + "author: users cannot delete themselves; ask another admin to remove it",
                        at: removed.location(of: "/spec/email")))
            }
        }
        return errors.sorted()
    }
}

/// The outcome of validating a whole source: errors fail it, warnings do not.
public struct ValidationReport: Sendable, Equatable {
    public var errors: [ManifestError]
    /// Problems that only matter where the server runs (unset secret variables, missing secret files).
    public var warnings: [ManifestError]
    public var files: Int
    public var apps: Int
    public var users: Int

    public init(errors: [ManifestError], warnings: [ManifestError], files: Int, apps: Int, users: Int) {
        self.errors = errors.sorted()
        self.warnings = warnings.sorted()
        self.files = files
        self.apps = apps
        self.users = users
    }

    public var isValid: Bool { errors.isEmpty }

    /// `2 errors, 1 warning in 3 files` / `valid: 3 apps, 1 user in 3 files`.
    public var summary: String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let scope = "in \(count(files, "file"))"
        if errors.isEmpty {
            let warned = warnings.isEmpty ? "" : " (\(count(warnings.count, "warning")))"
            return "valid: \(count(apps, "app")), \(count(users, "user")) \(scope)\(warned)"
        }
        return "invalid: \(count(errors.count, "error")), \(count(warnings.count, "warning")) \(scope)"
    }
}
