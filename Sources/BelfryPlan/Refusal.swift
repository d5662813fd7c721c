/// Why a plan must not be applied as it stands. Data, not an error: the plan is still rendered.
public enum Refusal: Sendable, Equatable, CustomStringConvertible {
    /// The plan deletes every current object of these kinds, which usually means a broken render
    /// or a wrong path rather than intent; `allowEmpty` lets it through.
    case deletesEverything([ObjectKind])

    /// One sentence for text, JSON and Markdown.
    public var description: String {
        switch self {
        case .deletesEverything(let kinds):
            let what = kinds.map { "every \($0.rawValue)" }.joined(separator: " and ")
            return "Refused: the plan deletes \(what) on the server. Allow an empty configuration to apply it."
        }
    }
}
