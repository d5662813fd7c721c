import Foundation

extension DirectorySource {
    /// Paths relative to `root` of every manifest file below it, sorted, so that errors and
    /// "first defined" choices are the same on every run.
    func manifestFiles() throws(SourceError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw .directoryNotFound(path: root)
        }
        guard isDirectory.boolValue else { throw .notADirectory(path: root) }
        var files: [String] = []
        try collect(relative: "", into: &files)
        return files.sorted()
    }

    /// Appends the manifest files of one directory and, recursively, of its subdirectories.
    private func collect(relative: String, into files: inout [String]) throws(SourceError) {
        let directory = relative.isEmpty ? root : root + "/" + relative
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .unreadableDirectory(path: directory, reason: Self.reason(error))
        }
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            let child = relative.isEmpty ? entry : relative + "/" + entry
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + child, isDirectory: &isDirectory) else {
                continue  // a dangling symbolic link
            }
            if isDirectory.boolValue {
                try collect(relative: child, into: &files)
            } else if entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
                files.append(child)
            }
        }
    }

    /// A short reason for a file-system error ("permission denied"), without Foundation's wrapping.
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        return nsError.localizedDescription
    }
}
