import BelfryJSON
import Foundation
import JSONSchema
import Testing

/// The repository's own manifest schemas (`schemas/*.json`, read in place) load — so they use
/// only what this validator implements — and report errors the way a pull request shows them.
@Suite struct ProjectSchemaTests {
    static let schemas = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas")

    static func load(_ name: String) throws -> JSONSchema {
        let data = try Data(contentsOf: schemas.appendingPathComponent(name))
        return try JSONSchema(JSONParser.parse(Array(data)))
    }

    static let app = #"""
        {"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": "chat"},
         "spec": {"id": "1001", "key": "chat-key", "secret": {"value": "s"}, "limits": {"maxConnections": 10}}}
        """#

    @Test(arguments: ["app.schema.json", "user.schema.json"])
    func loads(name: String) throws {
        _ = try Self.load(name)
    }

    @Test func validAppPasses() throws {
        #expect(try Self.load("app.schema.json").validate(json(Self.app)) == [])
    }

    @Test func errorsPointAtTheFieldToFix() throws {
        let schema = try Self.load("app.schema.json")
        let tooMany = Self.app.replacingOccurrences(of: #""maxConnections": 10"#, with: #""maxConnections": 1e12"#)
        let found = schema.validate(json(tooMany))
        #expect(found.map(\.instanceLocation) == ["/spec/limits/maxConnections"])
        #expect(found.first?.keywordLocation.hasSuffix("/properties/maxConnections/maximum") == true)
        #expect(found.first?.message.hasPrefix("must be ≤ ") == true)

        let typo = Self.app.replacingOccurrences(of: #""limits""#, with: #""limit""#)
        #expect(schema.validate(json(typo)).map(\.description) == [#"/spec/limit: unknown field "limit""#])

        let noKey = Self.app.replacingOccurrences(of: #""key": "chat-key", "#, with: "")
        #expect(schema.validate(json(noKey)).map(\.description) == [#"/spec: missing required field "key""#])
    }
}
