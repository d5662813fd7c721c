/// Why a `SecretRef` could not be turned into a secret (`environment variable X is not set`);
/// `ManifestSet.snapshot` locates it at the `spec.secret` field.
public struct SecretResolutionError: Error, Sendable, Equatable {
    public var message: String
    /// The reference points where the secret policy forbids (an error even for `validate`, which
    /// only warns about secrets absent where it runs).
    public var policyViolation: Bool

    /// A reason without location (`secret file x does not exist`).
    public init(_ message: String, policyViolation: Bool = false) {
        self.message = message
        self.policyViolation = policyViolation
    }
}
