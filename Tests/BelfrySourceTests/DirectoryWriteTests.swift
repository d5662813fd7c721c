import Foundation
import Testing

@testable import BelfrySource

@Suite struct DirectoryWriteTests {
    private func directory(_ files: [String: String]) throws -> DirectorySource {
        let root = NSTemporaryDirectory() + "belfry-dir-" + UUID().uuidString
        for (path, text) in files {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return DirectorySource(path: root)
    }

    /// Every entry below the root, hidden ones included, sorted.
    private func entries(_ source: DirectorySource) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: source.root).sorted()
    }

    @Test func writesCreateChangeAndDeleteInPlaceLeavingNoTemporaryFiles() throws {
        let source = try directory(["apps/a.yaml": "a: 1\n", "apps/b.yaml": "b\n", "deep/x/only.yaml": "x\n"])
        defer { try? FileManager.default.removeItem(atPath: source.root) }
        let report = try source.write([
            "apps/a.yaml": Data("a: 2\n".utf8), "apps/b.yaml": nil, "new/nested/c.yaml": Data("c\n".utf8),
            "deep/x/only.yaml": nil, "apps/missing.yaml": nil,
        ])
        #expect(
            report == [
                "apps/a.yaml": .modified, "apps/b.yaml": .deleted, "new/nested/c.yaml": .created,
                "deep/x/only.yaml": .deleted, "apps/missing.yaml": .unchanged,
            ])
        #expect(try entries(source) == ["apps", "apps/a.yaml", "new", "new/nested", "new/nested/c.yaml"])
        #expect(FileManager.default.contents(atPath: source.root + "/apps/a.yaml") == Data("a: 2\n".utf8))
        let mode =
            try FileManager.default.attributesOfItem(atPath: source.root + "/new/nested/c.yaml")[
                .posixPermissions] as? Int
        #expect(mode == 0o644)
        #expect(try source.write(["apps/a.yaml": Data("a: 2\n".utf8)]) == ["apps/a.yaml": .unchanged])
    }

    @Test(arguments: ["../escape.yaml", "/etc/passwd", ""])
    func pathsOutsideTheRootAreRefused(path: String) throws {
        let source = try directory([:])
        defer { try? FileManager.default.removeItem(atPath: source.root) }
        #expect(throws: SourceError.self) { try source.write([path: Data("x".utf8)]) }
        #expect(try entries(source).isEmpty)
    }

    @Test func aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws {
        let source = try directory(["apps/a.yaml": "a: 1\n"])
        defer { try? FileManager.default.removeItem(atPath: source.root) }
        // A directory where the file should go: the rename fails after the temp file was written.
        try FileManager.default.createDirectory(
            atPath: source.root + "/apps/dir.yaml/inner", withIntermediateDirectories: true)
        #expect(throws: SourceError.self) { try source.write(["apps/dir.yaml": Data("x".utf8)]) }
        #expect(try entries(source) == ["apps", "apps/a.yaml", "apps/dir.yaml", "apps/dir.yaml/inner"])
    }
}
