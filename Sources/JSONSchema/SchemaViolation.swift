/// One reason an instance does not conform, in the flat "basic" output shape of draft 2020-12.
///
/// `instanceLocation` is what a user fixes (a manifest maps it to file:line:col); `keywordLocation`
/// is the evaluation path through the schema, `$ref` hops included.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// JSON pointer into the instance, e.g. `/spec/limits/maxConnections`; `""` is the whole document.
    public let instanceLocation: String
    /// JSON pointer along the evaluation path, e.g. `/properties/spec/$ref/properties/id/pattern`.
    public let keywordLocation: String
    /// A short human sentence, e.g. `must be ≤ 1000000` or `unknown field "foo"`.
    public let message: String

    /// Creates a violation; the validator builds these, tests compare against them.
    public init(instanceLocation: String, keywordLocation: String, message: String) {
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.message = message
    }

    /// `instanceLocation: message`, the text after `file:line:col: error:`.
    public var description: String {
        "\(instanceLocation.isEmpty ? "(root)" : instanceLocation): \(message)"
    }
}
