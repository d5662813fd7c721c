import BelfryJSON
import Foundation
import JSONSchema
import Testing

/// Where the official JSON-Schema-Test-Suite (draft 2020-12) is: `JSON_SCHEMA_TEST_SUITE` (the
/// suite's root or its `tests/draft2020-12`), else `shared/data/json-schema-test-suite` beside
/// the repository. A clone on its own has neither: the suite is then skipped, and the test
/// output says plainly that it was NOT run and how to run it (a clone alone must pass `make test`).
enum SuiteLocation {
    static func find(environment: [String: String], packageRoot: URL) -> URL? {
        var candidates: [URL] = []
        if let given = environment["JSON_SCHEMA_TEST_SUITE"], !given.isEmpty {
            let root = URL(fileURLWithPath: given)
            candidates += [root.appendingPathComponent("tests/draft2020-12"), root]
        } else {
            candidates.append(
                packageRoot.deletingLastPathComponent()
                    .appendingPathComponent("shared/data/json-schema-test-suite/tests/draft2020-12"))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("type.json").path) }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/JSONSchemaTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root

    static let environment = ProcessInfo.processInfo.environment
    static let directory = find(environment: environment, packageRoot: packageRoot)
}

/// Runs the official suite in place. Everything outside `SuiteSkipList` must pass; a skip entry
/// that starts passing (or never matches) fails the run, so the list cannot go stale.
@Suite struct OfficialSuiteTests {
    @Test(
        .enabled(
            if: SuiteLocation.directory != nil,
            "JSON Schema Test Suite not found, so it was NOT run: set JSON_SCHEMA_TEST_SUITE (or put shared/ beside the repository)"
        ))
    func draft2020_12() throws {
        let directory = try #require(SuiteLocation.directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let optional = (try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/optional")) ?? []
        for name in optional.map({ "optional/" + $0 }).sorted()
        where !SuiteSkipList.claimedOptionalFiles.contains(name) && SuiteSkipList.unclaimedOptionalFiles[name] == nil {
            Issue.record("\(name) is neither claimed nor listed as unclaimed in SuiteSkipList")
        }
        let files = names.filter { $0.hasSuffix(".json") }.sorted() + SuiteSkipList.claimedOptionalFiles
        var tally = Tally()
        for file in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            let groups = try JSONParser.parse(Array(data))
            run(file: file, groups: groups.arrayValue ?? [], into: &tally)
        }
        for key in SuiteSkipList.allKeys.subtracting(tally.usedSkips).sorted() {
            Issue.record("skip-list entry matches nothing in the suite: \(key)")
        }
        print("JSON Schema Test Suite: \(tally.passed)/\(tally.attempted) passed (\(tally.skipped) skipped)")
        #expect(tally.passed == tally.attempted)
        #expect(tally.attempted > 1000)
    }

    @Test func theSuiteIsFoundFromTheEnvironmentOrBesideTheRepository() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("suite-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repo = root.appendingPathComponent("work/belfry")
        let beside = root.appendingPathComponent("work/shared/data/json-schema-test-suite/tests/draft2020-12")
        let elsewhere = root.appendingPathComponent("checkout/tests/draft2020-12")
        for directory in [repo, beside, elsewhere] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        #expect(SuiteLocation.find(environment: [:], packageRoot: repo) == nil)
        try Data("[]".utf8).write(to: beside.appendingPathComponent("type.json"))
        #expect(SuiteLocation.find(environment: [:], packageRoot: repo)?.path == beside.path)
        try Data("[]".utf8).write(to: elsewhere.appendingPathComponent("type.json"))
        let given = ["JSON_SCHEMA_TEST_SUITE": root.appendingPathComponent("checkout").path]
        #expect(SuiteLocation.find(environment: given, packageRoot: repo)?.path == elsewhere.path)
        #expect(SuiteLocation.find(environment: ["JSON_SCHEMA_TEST_SUITE": "/nonexistent"], packageRoot: repo) == nil)
    }

    private struct Tally {
        var attempted = 0
        var passed = 0
        var skipped = 0
        var usedSkips: Set<String> = []
    }

    private func run(file: String, groups: [JSONValue], into tally: inout Tally) {
        if SuiteSkipList.files[file] != nil {
            tally.usedSkips.insert(file)
            tally.skipped += groups.reduce(0) { $0 + ($1["tests"]?.arrayValue?.count ?? 0) }
            return
        }
        for group in groups {
            let description = group["description"]?.stringValue ?? "?"
            let groupKey = "\(file) | \(description)"
            let tests = group["tests"]?.arrayValue ?? []
            let groupSkipped = SuiteSkipList.cases[groupKey] != nil
            if groupSkipped { tally.usedSkips.insert(groupKey) }
            let schema: JSONSchema
            do {
                schema = try JSONSchema(group["schema"] ?? .null)
            } catch {
                if groupSkipped {
                    tally.skipped += tests.count
                } else {
                    tally.attempted += tests.count
                    Issue.record("\(groupKey): loader rejected the schema: \(error)")
                }
                continue
            }
            var allPass = true
            for test in tests {
                let testKey = "\(groupKey) | \(test["description"]?.stringValue ?? "?")"
                let expected = test["valid"] == .bool(true)
                let violations = schema.validate(test["data"] ?? .null)
                let pass = violations.isEmpty == expected
                allPass = allPass && pass
                if groupSkipped || SuiteSkipList.tests[testKey] != nil {
                    tally.skipped += 1
                    if SuiteSkipList.tests[testKey] != nil {
                        tally.usedSkips.insert(testKey)
                        if pass { Issue.record("\(testKey): skip-listed but passes; remove the entry") }
                    }
                    continue
                }
                tally.attempted += 1
                if pass {
                    tally.passed += 1
                } else {
                    Issue.record("\(testKey): expected \(expected ? "valid" : "invalid"), got \(violations)")
                }
            }
            if groupSkipped && allPass { Issue.record("\(groupKey): skip-listed but passes; remove the entry") }
        }
    }
}
