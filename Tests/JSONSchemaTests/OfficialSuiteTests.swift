import BelfryJSON
import Foundation
import JSONSchema
import Testing

/// Runs the official JSON-Schema-Test-Suite (draft 2020-12) in place, from `shared/` beside the
/// package root. Everything outside `SuiteSkipList` must pass; a skip entry that starts passing
/// (or never matches) fails the run, so the list cannot go stale.
@Suite struct OfficialSuiteTests {
    /// `<package root>/../shared/data/json-schema-test-suite/tests/draft2020-12`.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/JSONSchemaTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data/json-schema-test-suite/tests/draft2020-12")

    @Test func draft2020_12() throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: Self.directory.path) else {
            Issue.record(
                "JSON Schema Test Suite not found at \(Self.directory.path): expected shared/ beside the package")
            return
        }
        let optional = (try? FileManager.default.contentsOfDirectory(atPath: Self.directory.path + "/optional")) ?? []
        for name in optional.map({ "optional/" + $0 }).sorted()
        where !SuiteSkipList.claimedOptionalFiles.contains(name) && SuiteSkipList.unclaimedOptionalFiles[name] == nil {
            Issue.record("\(name) is neither claimed nor listed as unclaimed in SuiteSkipList")
        }
        let files = names.filter { $0.hasSuffix(".json") }.sorted() + SuiteSkipList.claimedOptionalFiles
        var tally = Tally()
        for file in files {
            let data = try Data(contentsOf: Self.directory.appendingPathComponent(file))
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
