import Foundation

/// What a directory write did to one file.
public enum FileChange: String, Sendable, Equatable, Codable {
    case created, modified, deleted
    /// The file already held these bytes, or a deleted file did not exist.
    case unchanged
}

extension DirectorySource {
    /// Writes `changes` (path relative to `root` → new bytes, or nil to delete) in place, each
    /// file atomically: a dot-prefixed temporary file in the same directory (which `fetch` skips),
    /// fsync, rename, fsync of the directory. Manifests get mode 0644; missing parent
    /// directories are created; a directory a deletion leaves empty is removed (up to `root`).
    /// Stops at the first failure; files written before it stay written.
    ///
    /// - Returns: what happened to each path, by path.
    public func write(_ changes: [String: Data?]) throws(SourceError) -> [String: FileChange] {
        var report: [String: FileChange] = [:]
        for (path, contents) in changes.sorted(by: { $0.key < $1.key }) {
            let parts = path.split(separator: "/").filter { $0 != "." }
            guard !parts.isEmpty, !path.hasPrefix("/"), !parts.contains("..") else {
                throw .unwritable(path: path, reason: "the path must stay inside \(root)")
            }
            let relative = parts.joined(separator: "/")
            let target = root + "/" + relative
            let existing = FileManager.default.contents(atPath: target)
            if let contents {
                if existing == contents {
                    report[relative] = .unchanged
                    continue
                }
                try Self.atomicWrite(contents, to: target, display: relative)
                report[relative] = existing == nil ? .created : .modified
            } else if existing == nil {
                report[relative] = .unchanged
            } else {
                guard unlink(target) == 0 else {
                    throw .unwritable(path: relative, reason: String(cString: strerror(errno)).lowercased())
                }
                removeEmptyParents(of: relative)
                report[relative] = .deleted
            }
        }
        return report
    }

    /// Removes the now-empty directories above `relative`, never `root` itself.
    private func removeEmptyParents(of relative: String) {
        var parts = relative.split(separator: "/").dropLast()
        while !parts.isEmpty {
            guard rmdir(root + "/" + parts.joined(separator: "/")) == 0 else { return }  // not empty
            parts = parts.dropLast()
        }
    }

    /// temp file + fsync + rename + directory fsync; the temp file is removed on any failure.
    private static func atomicWrite(_ data: Data, to target: String, display: String) throws(SourceError) {
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        func failed(_ what: String) -> SourceError {
            .unwritable(path: display, reason: "\(what): " + String(cString: strerror(errno)).lowercased())
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(path: display, reason: reason(error))
        }
        let temporary = directory + "/.\(name).belfry-\(UUID().uuidString).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failed("cannot create a temporary file") }
        var written = 0
        let complete = data.withUnsafeBytes { bytes -> Bool in
            while written < bytes.count {
                let count = Foundation.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if count < 0 { return false }
                written += count
            }
            return true
        }
        let synced = complete && fchmod(descriptor, 0o644) == 0 && fsync(descriptor) == 0
        let error = failed(complete ? "cannot sync" : "cannot write")
        close(descriptor)
        guard synced, rename(temporary, target) == 0 else {
            let renameError = synced ? failed("cannot rename into place") : error
            unlink(temporary)
            throw renameError
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}
