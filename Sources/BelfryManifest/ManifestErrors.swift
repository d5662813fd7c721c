/// Every problem that stopped a configuration from being used, sorted by file, line and column.
public struct ManifestErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// Never empty when thrown; sorted.
    public let errors: [ManifestError]

    /// Sorts `errors` into print order.
    public init(_ errors: [ManifestError]) {
        self.errors = errors.sorted()
    }

    /// One `file:line:col: error: …` line per problem.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
