/// Why a `SecretRef` could not be turned into a secret (`environment variable X is not set`);
/// `ManifestSet.snapshot` locates it at the `spec.secret` field.
public struct SecretResolutionError: Error, Sendable, Equatable {
    public var message: String

    /// A reason without location (`secret file x does not exist`).
    public init(_ message: String) {
        self.message = message
    }
}
