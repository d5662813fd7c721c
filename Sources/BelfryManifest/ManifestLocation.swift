/// Where a value sits in the config source: a file, a 1-based line and column, and the JSON
/// pointer of the value inside its document (`/spec/limits/maxConnections`; `""` for the root).
public struct ManifestLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file name as the source reports it (relative to the source directory).
    public var file: String
    public var line: Int
    public var column: Int
    /// JSON pointer (RFC 6901) of the value inside its document.
    public var path: String

    /// A position; `line` and `column` are 1-based, as Yams reports them.
    public init(file: String, line: Int, column: Int, path: String = "") {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }

    /// The same position with another JSON pointer (for errors about a missing child).
    func with(path: String) -> ManifestLocation {
        ManifestLocation(file: file, line: line, column: column, path: path)
    }

    /// Orders by file, then line, then column, then path: the order errors are printed in.
    public static func < (lhs: ManifestLocation, rhs: ManifestLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column, lhs.path) < (rhs.file, rhs.line, rhs.column, rhs.path)
    }
}
