/// Where an app secret comes from (`spec.secret`): written inline, read from an environment
/// variable, or read from a file. Resolving `env` and `file` is the source's job (it does I/O).
public enum SecretRef: Sendable, Hashable {
    /// `{ value: s3cret }`: the secret itself.
    case value(String)
    /// `{ env: NAME }`: the value of an environment variable of the server process.
    case env(String)
    /// `{ file: PATH }`: the contents of a file, relative to the source directory.
    case file(String)
}
