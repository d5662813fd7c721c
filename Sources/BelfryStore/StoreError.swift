/// Why the store could not be opened; the text is written once, by the command that opens it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be created, opened or migrated (`reason` is SQLite's or the file system's).
    case cannotOpen(path: String, reason: String)
    /// The database was migrated by a newer belfry; this version would misread it.
    case newerSchema(path: String, unknownMigrations: [String])

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the state database \(path): \(reason)"
        case .newerSchema(let path, let unknown):
            return "the state database \(path) was written by a newer belfry (migrations "
                + "\(unknown.joined(separator: ", "))); run that version or point --data-dir elsewhere"
        }
    }
}
