import BelfryManifest
import Foundation
import Testing

/// The binary validates with the schemas compiled into it; they must be `schemas/` byte for byte
/// (run `make schemas` after editing a schema).
@Suite struct EmbeddedSchemasTests {
    static let schemas = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas")

    @Test(arguments: [("app.schema.json", EmbeddedSchemas.app), ("user.schema.json", EmbeddedSchemas.user)])
    func embeddedCopyMatchesTheFile(file: String, embedded: String) throws {
        let text = try String(contentsOf: Self.schemas.appendingPathComponent(file), encoding: .utf8)
        #expect(embedded + "\n" == text, "schemas/\(file) changed: run `make schemas`")
    }

    @Test func schemasLoad() {
        // Loading compiles every keyword; an unsupported one would stop the program here.
        #expect(ManifestSchemas.app.isValid(.object([])) == false)
        #expect(ManifestSchemas.user.isValid(.object([])) == false)
    }
}
