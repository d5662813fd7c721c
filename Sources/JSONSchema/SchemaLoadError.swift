/// Why a schema document was refused at load time: where (a JSON pointer into the schema) and what.
///
/// A schema that uses a keyword this validator does not implement is refused rather than
/// half-applied, so a loaded schema never validates less than it says.
public struct SchemaLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// JSON pointer to the offending keyword in the schema document, e.g. `/properties/id/pattern`.
    public let keywordLocation: String
    /// What is wrong, e.g. `unknown keyword "definitions" (use "$defs")`.
    public let message: String

    /// Creates a load error; the validator builds these, tests compare against them.
    public init(keywordLocation: String, message: String) {
        self.keywordLocation = keywordLocation
        self.message = message
    }

    /// `location: message`, for logs and command-line output.
    public var description: String {
        "\(keywordLocation.isEmpty ? "(root)" : keywordLocation): \(message)"
    }
}
