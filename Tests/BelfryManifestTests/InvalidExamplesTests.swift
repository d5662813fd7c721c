import BelfryManifest
import BelfrySource
import Foundation
import Testing

/// `examples/invalid/<rule>/` holds one broken source per rule with the exact `belfry validate`
/// output in `expected.txt`; each must still produce exactly that output.
@Suite struct InvalidExamplesTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let invalid = root.appendingPathComponent("examples/invalid")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: invalid.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func everyRuleHasAnExample() {
        #expect(Self.cases.count >= 20)
    }

    @Test(arguments: cases)
    func producesItsExpectedMessages(name: String) throws {
        let directory = Self.invalid.appendingPathComponent(name)
        let expected = try String(contentsOf: directory.appendingPathComponent("expected.txt"), encoding: .utf8)
        let report = try DirectorySource(path: directory.path).validate(environment: [:], secrets: defaultSecrets)
        #expect(report.rendered(.text) == expected)
    }

    @Test func authorsCannotDeleteTheirOwnUser() throws {
        let base = DirectorySource(path: Self.root.appendingPathComponent("examples/config").path)
        let changed = try TemporaryManifests(copying: base.path, removing: "users.yaml")
        defer { changed.remove() }
        let report = try DirectorySource(path: changed.path).validate(
            environment: [:], author: "ALICE@example.com", base: base, secrets: defaultSecrets)
        #expect(
            report.rendered(.text) == """
                .:1:1: error: no User manifest: at least one admin user (kind: User) is required
                users.yaml:9:10: error: /spec/email: User "alice" (alice@example.com) is removed by its own author: \
                users cannot delete themselves; ask another admin to remove it
                invalid: 2 errors, 0 warnings in 2 files

                """)
        let byOther = try DirectorySource(path: changed.path).validate(
            environment: [:], author: "bob@example.com", base: base, secrets: defaultSecrets)
        #expect(byOther.errors.count == 1)
    }

    @Test func outputFormats() throws {
        let directory = Self.invalid.appendingPathComponent("unknown-field").path
        let report = try DirectorySource(path: directory).validate(environment: [:], secrets: defaultSecrets)
        #expect(
            report.rendered(.github).hasPrefix(
                "::error file=app.yaml,line=10,col=3,title=belfry validate::/spec/colour: unknown field \"colour\"\n"))
        #expect(
            report.rendered(.json)
                == #"{"valid":false,"summary":"invalid: 1 error, 0 warnings in 2 files","diagnostics":[{"severity":"error","#
                + #""file":"app.yaml","line":10,"column":3,"path":"/spec/colour","message":"unknown field \"colour\""}]}"#
                + "\n")
    }
}

/// A temporary copy of a manifest directory, optionally without one file.
struct TemporaryManifests {
    let path: String

    init(copying source: String, removing file: String) throws {
        path = NSTemporaryDirectory() + "belfry-test-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: source, toPath: path)
        try FileManager.default.removeItem(atPath: path + "/" + file)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
