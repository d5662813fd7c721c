/// What a manifest edit does to the files: new text per path, `nil` for a file to delete.
/// Paths are relative to the manifests directory. The caller writes and commits them.
public struct ManifestChange: Sendable, Equatable {
    /// Path → new text, or `nil` to delete the file.
    public var files: [String: String?]
    /// A short account for a commit message or a plan (`replace App "chat" in apps/chat.yaml`).
    public var description: String

    /// A change to `files`, described by `description`.
    public init(files: [String: String?], description: String) {
        self.files = files
        self.description = description
    }

    /// `files` (path → text) after this change: what the source will hold once it is written.
    public func applied(to files: [String: String]) -> [String: String] {
        var result = files
        for (path, text) in self.files {
            result[path] = text
        }
        return result
    }
}
