import BelfrySource
import Foundation

/// A directory source is written in place: each file atomically (a temporary file in the same
/// directory, then a rename), after checking that nothing changed since the revision was read.
struct DirectoryWriter: ManifestWriter {
    /// The manifests directory.
    let root: String
    let source: any ConfigSource

    func write(_ changes: [String: String?], base: String, author: CommitAuthor, message: String) async
        -> WriteOutcome
    {
        let source = self.source
        let current = try? await Task.detached { () throws(SourceError) -> SourceRevision in try source.fetch() }.value
        guard current?.revision == base else { return .baseMoved }
        do {
            for (path, text) in changes.sorted(by: { $0.key < $1.key }) {
                let target = (root as NSString).appendingPathComponent(path)
                guard target.hasPrefix(root + "/"), !path.split(separator: "/").contains("..") else {
                    return .failed("\(path) is outside the manifests directory")
                }
                if let text {
                    try FileManager.default.createDirectory(
                        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    let temporary = target + ".belfry-\(UUID().uuidString).tmp"
                    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
                        return .failed("cannot write \(temporary)")
                    }
                    chmod(temporary, 0o644)
                    guard rename(temporary, target) == 0 else {
                        unlink(temporary)
                        return .failed("cannot replace \(path): \(String(cString: strerror(errno)))")
                    }
                } else {
                    try FileManager.default.removeItem(atPath: target)
                }
            }
        } catch {
            return .refused("\(error)")
        }
        return .written(commit: nil)
    }
}

/// A source the server cannot write to.
struct ReadOnlyWriter: ManifestWriter {
    let reason: String

    func write(_ changes: [String: String?], base: String, author: CommitAuthor, message: String) async
        -> WriteOutcome
    {
        .refused(reason)
    }
}
